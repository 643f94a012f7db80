"""What a route costs under FastAPI, by how it is declared: the same trivial handler
(parse a UUID path parameter, answer ready bytes) called over ASGI directly.

    python -m bench.route_overhead [--rounds 3] [--requests 20000]

Variants, each in a process of its own, alternating by round:
- `fastapi-typed`: an APIRoute with `id: UUID` (FastAPI solves the parameters), as the
  generated routes are declared, FastAPI's own telemetry off as the kit sets it;
- `fastapi-request`: an APIRoute taking only `request: Request`;
- `fastapi-plain-route`: a plain Starlette Route added to a FastAPI app's router;
- `starlette`: a Starlette app with that Route.
CPU per request from process_time. No middleware of the kit's: its cost is
bench.app_stack's and bench.access_line's.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from bench.common import cpu_of_script

VARIANTS = ("fastapi-typed", "fastapi-request", "fastapi-plain-route", "starlette")

SIDE = '''
import asyncio, inspect, sys, time, uuid
from fastapi import APIRouter, FastAPI, Request
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = b'{"id": "x", "status": "pending"}'
PATH = "/api/v1/orders/{id}"


def fastapi_app(router):
    options = {}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters:
        options["telemetry"] = {"tracing": False, "metrics": False, "logs": False,
                                "operation_spans": False}
    app = FastAPI(**options)
    app.include_router(router)
    return app


async def typed(request: Request, id: uuid.UUID) -> Response:
    return Response(BODY, media_type="application/json")


async def request_only(request: Request) -> Response:
    return await plain(request)


async def plain(request):
    try:
        uuid.UUID(request.path_params["id"])
    except ValueError:
        return Response(b"{}", status_code=422)
    return Response(BODY, media_type="application/json")


variant = sys.argv[1]
router = APIRouter()
if variant == "fastapi-typed":
    router.add_api_route(PATH, typed, methods=["GET"])
elif variant == "fastapi-request":
    router.add_api_route(PATH, request_only, methods=["GET"])
else:
    router.add_route(PATH, plain, methods=["GET"])
app = Starlette(routes=[Route(PATH, plain, methods=["GET"])]) if variant == "starlette" \\
    else fastapi_app(router)
SCOPE = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
         "scheme": "http", "path": "/api/v1/orders/" + str(uuid.uuid4()), "raw_path": b"",
         "query_string": b"", "headers": [(b"host", b"x")], "server": ("127.0.0.1", 80),
         "client": ("127.0.0.1", 1234), "root_path": ""}


async def receive():
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(message):
    assert message["type"] != "http.response.start" or message["status"] == 200


async def run(n):
    for _ in range(n):
        await app(dict(SCOPE), receive, send)


async def main(n):
    await run(1000)
    start = time.process_time()
    await run(n)
    return (time.process_time() - start) / n * 1e6

print(asyncio.run(main(int(sys.argv[2]))))
'''


def cpu_us(variant: str, requests: int) -> float:
    return cpu_of_script(SIDE, [variant, str(requests)], [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.route_overhead", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20_000)
    args = parser.parse_args(argv)
    found: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for _ in range(args.rounds):
        for variant in VARIANTS:
            found[variant].append(cpu_us(variant, args.requests))
    base = statistics.median(found["starlette"])
    print("| route | CPU us per request (median) | range | vs starlette |")
    print("|---|---|---|---|")
    for variant, values in found.items():
        median = statistics.median(values)
        print(f"| {variant} | {median:.1f} | {min(values):.1f}-{max(values):.1f} | "
              f"{median / base:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
