"""The burst benchmark's reading of its probe: one-second windows and the recovery time."""

from __future__ import annotations

from bench.burst import Probe, Window, recovery_s, windows


def _second(start: float, ms: float, status: int = 201, count: int = 10) -> list[Probe]:
    return [Probe(start + i / count, ms, status) for i in range(count)]


def test_windows_count_p95_shed_and_failures_by_start_time() -> None:
    probes = (_second(-2, 20) + _second(-1, 300) + [Probe(-0.5, 5, 503), Probe(-0.4, 9, 0)]
              + _second(0, 30))
    found = windows(probes, burst_end_s=0)
    assert [w.start_s for w in found] == [-2, -1, 0]
    assert [w.requests for w in found] == [10, 12, 10]
    assert found[0].p95_ms == 20 and found[0].within
    assert found[1].p95_ms == 300 and (found[1].shed, found[1].failed) == (1, 1)
    assert not found[1].within


def test_recovery_is_the_start_of_the_last_run_of_windows_within_the_sla() -> None:
    def window(at: float, p95: float, shed: int = 0) -> Window:
        return Window(at, 10, p95, shed, 0)

    found = [window(-1, 500), window(0, 250), window(1, 50), window(2, 60, shed=1),
             window(3, 40), window(4, 30)]
    assert recovery_s(found) == 3  # the shed request at +2 s counts against it
    assert recovery_s([window(-1, 500), window(0, 40), window(1, 30)]) == 0
    assert recovery_s([window(0, 40), window(1, 400)]) is None  # not back by the end
