"""Readiness probes: a TCP connect, an HTTP 200, a command that exits 0. Each bounded in time."""

from __future__ import annotations

import asyncio
import contextlib
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


async def http_ok(url: str, timeout_s: float = 2.0, uds: str | None = None) -> bool:
    """GET `url` answers 200; through the unix socket `uds` when given."""
    import httpx

    transport = httpx.AsyncHTTPTransport(uds=uds) if uds else None
    try:
        async with httpx.AsyncClient(timeout=timeout_s, trust_env=False,
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
