"""CPU of the Python stack around a request: the generated order-service's app, called
over ASGI directly, one kit against another.

    python -m bench.app_stack BEFORE_KIT_SRC [AFTER_KIT_SRC] [--pairs 5] [--requests 3000]

No server, no network, no broker, no database: the app of generated/ecommerce's
order-service (ENVIRONMENT=development) on the kit's in-memory store, its lifespan run,
then GET of one stored order `--requests` times after 300 of warm-up, each request a
fresh ASGI scope with the headers a client sends. What is measured is what the kit
and FastAPI put around a request; uvicorn, PostgreSQL and the socket are
bench.side_by_side's. Each side runs in a process of its own (the kit's
`src/` first on the path); the sides alternate and the ratio after/before is the median
of the pairs. CPU per request from process_time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT, before_after, cpu_of_script

SERVICES = ROOT / "generated" / "ecommerce" / "services"
KIT_SRC = SERVICES / "_kit" / "src"
SERVICE_SRC = SERVICES / "order-service" / "src"

SIDE = '''
import asyncio, dataclasses, json, logging, sys, time
from archgen_service_kit import app as kit
from archgen_service_kit.stores import memory
from order_service.app import SERVICE
from order_service.settings import Settings

# The kit's in-memory store: a database's round trip (and aiosqlite's thread hop, which
# varied more than the effects measured here) is bench.side_by_side's.
app = kit.create_app(dataclasses.replace(SERVICE, store=memory.BACKEND, tables=None),
                     Settings(environment="development", log_level="WARNING"))
ORDER = {"customer_id": "5f0c6f9e-8d5e-4a57-9a3e-1b2c3d4e5f60",
         "items": [{"sku": "SKU-1", "quantity": 2, "unit_price": "9.90"}]}
HEADERS = [(b"host", b"order-service"), (b"accept", b"*/*"),
           (b"user-agent", b"bench"), (b"x-request-id", b"r-1")]


def scope(method, path, body=b""):
    headers = HEADERS + ([(b"content-type", b"application/json"),
                          (b"content-length", str(len(body)).encode())] if body else [])
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "headers": headers, "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000), "root_path": "", "state": {}}


async def call(method, path, body=b""):
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope(method, path, body), receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def main(n):
    async with app.router.lifespan_context(app):
        status, body = await call("POST", "/api/v1/orders", json.dumps(ORDER).encode())
        assert status == 201, (status, body)
        path = "/api/v1/orders/" + json.loads(body)["id"]
        for _ in range(300):
            assert (await call("GET", path))[0] == 200
        start = time.process_time()
        for _ in range(n):
            await call("GET", path)
        return (time.process_time() - start) / n * 1e6

logging.disable(logging.INFO)  # no access lines: the stack, not the log's writes
print(asyncio.run(main(int(sys.argv[1]))))
'''


def cpu_us(kit_src: Path, requests: int) -> float:
    with tempfile.TemporaryDirectory(prefix="archgen-app-stack-") as folder:
        return cpu_of_script(SIDE, [str(requests)], [SERVICE_SRC, kit_src],
                             cwd=Path(folder))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.app_stack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path, nargs="?", default=KIT_SRC)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args(argv)
    before_after(lambda kit: cpu_us(kit, args.requests), args.before, args.after, args.pairs,
                 "GET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
