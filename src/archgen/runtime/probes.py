"""Readiness probes: a TCP connect, an HTTP 200, a command that exits 0. Each bounded in time."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
from collections.abc import Sequence

from archgen.runtime.ports import LOCALHOST


async def tcp_open(port: int, host: str = LOCALHOST, timeout_s: float = 1.0) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every probe. The probes speak plain HTTP on this machine, but
    httpx builds a context for each client it makes, and loading the CA bundle into it
    cost more CPU than the probe itself (every part, every few seconds)."""
    return ssl.create_default_context()


async def http_ok(url: str, timeout_s: float = 2.0, uds: str | None = None) -> bool:
    """GET `url` answers 200; through the unix socket `uds` when given."""
    import httpx

    tls = _tls_context()
    transport = httpx.AsyncHTTPTransport(uds=uds, verify=tls) if uds else None
    try:
        async with httpx.AsyncClient(timeout=timeout_s, trust_env=False, verify=tls,
                                     transport=transport) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def command_ok(argv: Sequence[str], timeout_s: float = 5.0) -> bool:
    proc = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        return await asyncio.wait_for(proc.wait(), timeout_s) == 0
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return False
