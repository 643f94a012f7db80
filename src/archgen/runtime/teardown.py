"""`archgen down`: stop the run of an output folder, and clean up after a crashed one.

A live supervisor gets SIGTERM and stops its parts in order, as on Ctrl-C. One
that is gone (SIGKILL, a crash) left up.json behind: its parts' process groups
are killed (each only while its PID still names the process archgen started)
and the run's folder removed, as the reaper would.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from archgen.runtime import instance, state
from archgen.runtime.procs import kill_group, same_process, start_time

STOP_TIMEOUT_S = 60.0  # the supervisor's orderly stop: each part gets its grace, in turn
GONE_TIMEOUT_S = 10.0


def down(output: Path, say: Callable[[str], None]) -> bool:
    """Stop what runs for `output`; False when nothing did."""
    found = False
    pid = instance.holder(output)
    if pid is not None:
        found = True
        say(f"stopping archgen up (pid {pid}) for {output}")
        _stop_supervisor(pid)
    left = state.read_any(output)  # a clean stop removed it: what is left is a crash's
    if left is not None and not left.alive():
        found = True
        groups = {g: start for g, start in _groups(left).items() if _group_alive(g)}
        say(f"the supervisor (pid {left.pid}) is gone; killing what is left of its run"
            if groups else f"the supervisor (pid {left.pid}) is gone; nothing of it is left")
        _sweep(groups, left.run_dir)
        state.remove(output)
    return found


def _stop_supervisor(pid: int) -> None:
    start = start_time(pid)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while same_process(pid, start) and time.monotonic() < deadline:
        time.sleep(0.1)
    if same_process(pid, start):  # hung: the crash path below finishes its work
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)


def _groups(left: state.UpState) -> dict[int, int | None]:
    """The process groups of the dead run's parts that may still run (its leader's start
    time, when known): a PID that names another process now (reused) is left alone."""
    parts = left.parts or [{"pid": pid} for pid in left.pids.values()]
    groups: dict[int, int | None] = {}
    for part in parts:
        pid, start = part.get("pid"), part.get("start")
        if not isinstance(pid, int):
            continue
        known = start if isinstance(start, int) else None
        if not _exists(pid) or same_process(pid, known):
            groups[pid] = known  # its group may outlive it (PostgreSQL's backends)
    return groups


def _sweep(groups: dict[int, int | None], run_dir: str) -> None:
    """What the reaper does when archgen dies: kill the groups, free PostgreSQL's shared
    memory, remove the run's folder (only an absolute one: never a relative guess)."""
    from archgen.runtime.reaper import sweep

    if run_dir and Path(run_dir).is_absolute():
        sweep(groups, Path(run_dir))
    else:
        for pgid, start in groups.items():
            kill_group(pgid, signal.SIGKILL, start)
    _wait_gone(list(groups))


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_gone(groups: list[int]) -> None:
    deadline = time.monotonic() + GONE_TIMEOUT_S
    while any(_group_alive(g) for g in groups) and time.monotonic() < deadline:
        time.sleep(0.1)
