"""A stand-in upstream for the Envoy end-to-end test (not a generated service).

The generated services are another issue's output; this small FastAPI app
answers the blueprint's paths (any path, any method) and echoes what the
gateway forwarded, and `?delay=<seconds>` makes it slow so the route timeout
shows. Run: `uvicorn tests.deploy.standin_upstream:app`.
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/health/ready")
async def ready() -> dict[str, str]:
    return {"status": "ok"}


@app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
async def echo(path: str, request: Request, delay: float = 0.0) -> dict[str, object]:
    if delay:
        await asyncio.sleep(delay)
    # An order names its customer, as the blueprint's Order does: the aggregation's
    # customer call reads it from this answer.
    owner = {"customer_id": "cust-" + path.rsplit("/", 1)[-1]} if path.startswith(
        "api/v1/orders/") else {}
    return {**owner, "path": "/" + path, "method": request.method,
            "tier": request.headers.get("x-archgen-tier"),
            "authorized": "authorization" in request.headers,
            "padding": "x" * 2000}  # big enough for the compressor to act on
