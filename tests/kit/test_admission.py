"""The kit's admission limit adapts to how long requests take (additive increase,
multiplicative decrease), between its floor and MAX_IN_FLIGHT; the middleware sheds
past it. Driven with explicit times: no clock, no server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="module")
def admission(kit_src: Path) -> Any:
    import archgen_service_kit.admission

    return archgen_service_kit.admission


def test_slow_requests_lower_the_limit_once_per_target_down_to_the_floor(admission: Any
                                                                          ) -> None:
    limit = admission.Limit(64, target_s=0.1)
    assert limit.admits(63) and not limit.admits(64)
    limit.finished(0.5, now=10.0)
    assert int(limit.value) == 51  # 64 * 0.8
    for i in range(20):  # a batch admitted together, finishing slow together: one decrease
        limit.finished(0.5, now=10.0 + i * 0.001)
    assert int(limit.value) == 51
    for step in range(1, 40):
        limit.finished(0.5, now=10.0 + step * 0.1)
    assert limit.value == admission.FLOOR
    assert limit.admits(admission.FLOOR - 1) and not limit.admits(admission.FLOOR)


def test_fast_requests_raise_it_again_about_one_per_limit_up_to_the_ceiling(admission: Any
                                                                           ) -> None:
    limit = admission.Limit(16, target_s=0.1)
    for step in range(20):
        limit.finished(1.0, now=step * 0.2)
    assert limit.value == admission.FLOOR
    for _ in range(admission.FLOOR + 1):  # about `limit` fast answers: one more admitted
        limit.finished(0.01, now=100.0)
    assert int(limit.value) == admission.FLOOR + 1
    for _ in range(1000):
        limit.finished(0.01, now=100.0)
    assert limit.value == 16


def test_a_ceiling_below_the_floor_and_no_ceiling(admission: Any) -> None:
    small = admission.Limit(2, target_s=0.1)
    small.finished(1.0, now=1.0)
    assert small.value == 2  # the floor is never above MAX_IN_FLIGHT
    off = admission.Limit(0, target_s=0.1)  # MAX_IN_FLIGHT=0: admission off
    off.finished(5.0, now=1.0)
    assert off.admits(10_000)


def test_the_middleware_sheds_past_the_limit_and_counts_it(admission: Any) -> None:
    from prometheus_client import CollectorRegistry

    release = asyncio.Event()
    answered: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def call(middleware: Any, path: str = "/orders") -> None:
        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answered.append(message["status"])

        await middleware({"type": "http", "path": path}, None, send)

    async def run() -> Any:
        registry = CollectorRegistry()
        middleware = admission.Admission(app, 2, registry, frozenset({"/health/ready"}), 0.1)
        held = [asyncio.create_task(call(middleware)) for _ in range(2)]
        await asyncio.sleep(0)
        await call(middleware)  # the third: refused at once
        probe = asyncio.create_task(call(middleware, "/health/ready"))  # never shed
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(*held, probe)
        return registry

    registry = asyncio.run(run())
    assert answered == [503, 200, 200, 200]
    assert registry.get_sample_value("http_requests_shed_total") == 1.0
    assert registry.get_sample_value("http_admission_limit") == 2.0
