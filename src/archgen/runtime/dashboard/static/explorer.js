// The API explorer: Swagger UI on the gateway's public API, through the dashboard's proxy
// (/gateway), with the development token already filled in.
"use strict";
(async function () {
  const token = (await (await fetch("/api/token")).json()).token;
  const answer = await fetch("/api/openapi.json");
  if (!answer.ok) {
    document.getElementById("swagger-ui").textContent = (await answer.json()).error;
    return;
  }
  const spec = await answer.json();
  const ui = SwaggerUIBundle({
    spec: spec,
    dom_id: "#swagger-ui",
    deepLinking: true,
    tryItOutEnabled: true,
    requestInterceptor: function (request) {
      request.headers["X-Archgen-Dashboard"] = "1";
      return request;
    },
  });
  const schemes = (spec.components && spec.components.securitySchemes) || {};
  let filled = 0;
  for (const [name, scheme] of Object.entries(schemes)) {
    if (scheme.type === "http" && scheme.scheme === "bearer") {
      ui.preauthorizeApiKey(name, token);
      filled += 1;
    }
  }
  document.getElementById("token-note").textContent = filled
    ? "a development token is filled in (valid 12 h)" : "";
})();
