"""The lag probe answers the page at once: a reading asks the broker about fifteen times
one after another (2-3 s on a loaded machine, seen in the 30-minute soak), so a stale
reading starts the next in the background. The readings themselves are tested against
tansu in test_dashboard.py; here `_sample` is slowed down to time the answers, which no
real broker would do on demand."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from archgen.runtime.dashboard import lag


class SlowProbe(lag.LagProbe):
    def __init__(self, delay_s: float) -> None:
        super().__init__("127.0.0.1:1", {"g": ["t"]})
        self.delay_s = delay_s
        self.samples = 0

    async def _sample(self) -> list[dict[str, Any]]:
        await asyncio.sleep(self.delay_s)
        self.samples += 1
        return [{"group": "g", "reading": self.samples}]


def test_a_stale_reading_is_answered_at_once_and_the_next_is_taken_meanwhile(
        monkeypatch: Any) -> None:
    monkeypatch.setattr(lag, "MIN_INTERVAL_S", 0.05)

    async def run() -> None:
        probe = SlowProbe(0.3)
        first = await probe.read()  # nothing to show yet: the first ask waits
        assert first["groups"] == [{"group": "g", "reading": 1}]
        await asyncio.sleep(0.1)  # stale now
        started = time.monotonic()
        answers = await asyncio.gather(*(probe.read() for _ in range(5)))
        assert time.monotonic() - started < 0.1  # not the 0.3 s a reading takes
        assert all(a["groups"][0]["reading"] == 1 for a in answers)  # the last one, at once
        await asyncio.sleep(0.4)
        assert (await probe.read())["groups"][0]["reading"] == 2  # one reading for all five
        assert probe.samples in (2, 3)  # the read just now may have started a third
        await probe.close()
        assert probe._reading is None

    asyncio.run(run())


def test_a_failing_reading_keeps_the_rows_before_with_the_error(monkeypatch: Any) -> None:
    monkeypatch.setattr(lag, "MIN_INTERVAL_S", 0.0)

    async def run() -> None:
        probe = SlowProbe(0.0)
        assert (await probe.read())["error"] == ""

        async def broken() -> list[dict[str, Any]]:
            raise ConnectionError("broker gone")

        probe._sample = broken  # type: ignore[method-assign]
        await probe.read()  # starts the failing reading
        await asyncio.sleep(0.05)
        after = await probe.read()
        assert after["groups"] == [{"group": "g", "reading": 1}]
        assert "ConnectionError: broker gone" in after["error"]
        await probe.close()

    asyncio.run(run())
