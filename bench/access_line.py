"""CPU of the kit's access middleware and its JSON line, one kit against another.

    python -m bench.access_line BEFORE_KIT_SRC [AFTER_KIT_SRC] [--pairs 5]

Each side runs in a process of its own (a kit's `src/`, e.g. a `git archive` of another
commit's generated `services/_kit/src`; AFTER defaults to generated/ecommerce's): the
kit's AccessMiddleware around a minimal ASGI app, logging configured as a service
configures it (setup_logging, the line written to /dev/null), 20,000 requests after
2,000 of warm-up. CPU per request from process_time; the sides alternate, and the
ratio after/before is the median of the pairs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.common import ROOT, before_after, cpu_of_script

KIT_SRC = ROOT / "generated" / "ecommerce" / "services" / "_kit" / "src"
REQUESTS = 20_000

# Run in the measured process: only the kit and the standard library are imported.
SIDE = '''
import asyncio, logging, os, sys, time
from archgen_service_kit import observability as o
o.setup_logging("order-service", "info")
logging.getLogger().handlers[0].stream = open(os.devnull, "w")

async def ok(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})

class Route:
    path = "/api/v1/orders/{id}"

app = o.AccessMiddleware(ok, o.Metrics(), frozenset({"/health/live"}))
scope = {"type": "http", "method": "GET", "path": "/api/v1/orders/1",
         "headers": [(b"x-request-id", b"r")], "route": Route()}

async def receive():
    return {"type": "http.request", "body": b"", "more_body": False}

async def send(message):
    pass

async def run(n):
    for _ in range(n):
        await app(dict(scope), receive, send)

asyncio.run(run(2000))
start = time.process_time()
asyncio.run(run(int(sys.argv[1])))
print((time.process_time() - start) / int(sys.argv[1]) * 1e6)
'''


def cpu_us(kit_src: Path) -> float:
    return cpu_of_script(SIDE, [str(REQUESTS)], [kit_src])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.access_line", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path, nargs="?", default=KIT_SRC)
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args(argv)
    before_after(cpu_us, args.before, args.after, args.pairs, "request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
