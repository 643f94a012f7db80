"""AGX1xx, AGX2xx: each service's served OpenAPI against the document its catalog entry makes.

The expected document is the one `archgen generate` writes for the service
(`archgen.generators.openapi.service_document`), so a service generated from
the catalog and left alone is clean. Operations are matched by method and
path with parameter names ignored (`/orders/{id}` is `/orders/{orderId}`);
models by the catalog's model names, field by field.
"""

from __future__ import annotations

import re
from typing import Any

from archgen.drift.context import DriftContext
from archgen.generators.openapi import service_document
from archgen.model.resolved import Service

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Words of a schema that document it without changing what it accepts.
_PROSE = frozenset({"description", "title", "example", "examples", "deprecated", "default"})


def check(ctx: DriftContext) -> None:
    if ctx.observed.openapi is None:
        return
    for name, service in sorted(ctx.catalog.services.items()):
        served = ctx.observed.openapi.get(name)
        if served is None:
            continue  # unreadable: reported with AGX100 by the observer
        expected = service_document(ctx.catalog, service, "")
        _operations(ctx, service, expected, served)
        _models(ctx, service, expected, served)


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def _ops(doc: dict[str, Any]) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """(METHOD, path shape) -> (path as written, operation)."""
    out: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    paths = doc.get("paths")
    for path, item in (paths.items() if isinstance(paths, dict) else ()):
        for method, op in (item.items() if isinstance(item, dict) else ()):
            if method in METHODS and isinstance(op, dict):
                out[(method.upper(), _shape(str(path)))] = (str(path), op)
    return out


def _operations(ctx: DriftContext, service: Service, expected: dict[str, Any],
                served: dict[str, Any]) -> None:
    want, have = _ops(expected), _ops(served)
    routes = {(e.method, _shape(e.path)): e.route for e in service.endpoints}
    for key, (_, op) in want.items():
        route = routes.get(key, f"{key[0]} {key[1]}")
        where = ("services", service.name, "endpoints", route)
        if key not in have:
            ctx.add("AGX101", f"{service.name} does not serve `{route}`", where)
            continue
        got = have[key][1]
        status, body = _success(op)
        got_status, got_body = _success(got)
        if status != got_status:
            ctx.add("AGX103", f"`{route}` of {service.name} answers {got_status or 'no 2xx'} "
                    f"where the catalog says {status}", (*where, "status"))
        elif _ref(body) != _ref(got_body):
            ctx.add("AGX111", f"`{route}` of {service.name} returns {_ref(got_body)} where the "
                    f"catalog says {_ref(body)}", (*where, "response"))
        if _ref(_request(op)) != _ref(_request(got)):
            ctx.add("AGX110", f"`{route}` of {service.name} takes {_ref(_request(got))} where "
                    f"the catalog says {_ref(_request(op))}", (*where, "request"))
    for key in sorted(set(have) - set(want)):
        path = have[key][0]
        ctx.add("AGX190", f"{service.name} serves `{key[0]} {path}`, which its catalog entry "
                "does not list", ("services", service.name, "endpoints"))


def _success(op: dict[str, Any]) -> tuple[str | None, Any]:
    responses = op.get("responses")
    for status, answer in sorted(responses.items() if isinstance(responses, dict) else ()):
        if str(status).startswith("2"):
            return str(status), _json_schema(answer)
    return None, None


def _request(op: dict[str, Any]) -> Any:
    return _json_schema(op.get("requestBody"))


def _json_schema(part: Any) -> Any:
    if not isinstance(part, dict):
        return None
    content = part.get("content")
    media = content.get("application/json") if isinstance(content, dict) else None
    return media.get("schema") if isinstance(media, dict) else None


def _ref(schema: Any) -> str:
    """A body schema in words: `Order`, `list[Order]`, `no body`, or its type."""
    if not isinstance(schema, dict):
        return "no body"
    if isinstance(schema.get("$ref"), str):
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list[{_ref(schema.get('items'))}]"
    return str(schema.get("type", "a free-form body"))


def _models(ctx: DriftContext, service: Service, expected: dict[str, Any],
            served: dict[str, Any]) -> None:
    want = expected.get("components", {}).get("schemas", {})
    have = served.get("components", {}).get("schemas", {}) if isinstance(
        served.get("components"), dict) else {}
    for model in sorted(service.models):
        a, b = want.get(model), have.get(model) if isinstance(have, dict) else None
        if not isinstance(a, dict) or not isinstance(b, dict):
            continue
        _fields(ctx, service, model, a, b)


def _fields(ctx: DriftContext, service: Service, model: str, a: dict[str, Any],
            b: dict[str, Any]) -> None:
    where = ("services", service.name, "models", model)
    props_a, props_b = a.get("properties") or {}, b.get("properties") or {}
    req_a, req_b = set(a.get("required") or ()), set(b.get("required") or ())
    subject = f"{service.name} model {model}"
    for name in props_a:
        if name not in props_b:
            ctx.add("AGX201", f"{subject} is served without its field `{name}`",
                    (*where, name))
    for name in props_b:
        if name not in props_a:
            ctx.add("AGX202", f"{subject} is served with a field `{name}` the catalog does "
                    "not declare", where)
    for name in (n for n in props_a if n in props_b):
        what = _differences(props_a[name], props_b[name], name in req_a, name in req_b)
        if what:
            ctx.add("AGX203", f"field `{name}` of {subject} is served {what}", (*where, name))


def _differences(a: Any, b: Any, required_a: bool, required_b: bool) -> str:
    parts = []
    if required_a != required_b:
        parts.append("as required" if required_b else "as optional")
    x, y = _contract(a), _contract(b)
    for key in sorted(set(x) | set(y)):
        if x.get(key) != y.get(key):
            parts.append(f"with {key} {_show(y.get(key))} (declared {_show(x.get(key))})")
    return ", ".join(parts)


def _contract(schema: Any) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in _PROSE} if isinstance(
        schema, dict) else {}


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, dict) and "$ref" in value:
        return str(value["$ref"]).rsplit("/", 1)[-1]
    return str(value)
