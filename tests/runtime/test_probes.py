"""Readiness probes against real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from archgen.runtime import probes


class _Ready(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/ready" else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Ready)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_http_ok_answers_per_status(server: str) -> None:
    async def probe() -> tuple[bool, bool, bool]:
        return (await probes.http_ok(server + "/ready"), await probes.http_ok(server + "/x"),
                await probes.http_ok("http://127.0.0.1:9/ready", timeout_s=0.5))

    assert asyncio.run(probe()) == (True, False, False)


def test_repeated_http_probes_build_no_tls_context_each(server: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The supervisor probes every part every 2 s: building a TLS context (loading the CA
    bundle) per probe was most of an idle `archgen up`'s own CPU. Plain-HTTP probes build
    none (a spy on the real function counts the calls)."""
    made: list[int] = []
    real = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        made.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counted)

    async def probe() -> list[bool]:
        return [await probes.http_ok(server + "/ready") for _ in range(10)]

    assert asyncio.run(probe()) == [True] * 10
    assert len(made) <= 1
