"""The reaper: a watchdog process that cleans up after `archgen up` however it ends.

A child cannot clean up after its parent is SIGKILLed, and PostgreSQL's backends
are grandchildren. So `archgen up` starts this small process first and tells it,
one line at a time, each process group it starts (`+PGID START`, START its
leader's start time) or has stopped (`-PGID`). When the pipe closes (EOF: archgen
exited, crashed or was killed) the reaper kills every group still listed (but one
whose number now names another process: procs.kill_group) and removes the run's
folder.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

from archgen.runtime.procs import kill_group


class Reaper:
    """archgen's end of the pipe."""

    def __init__(self, run_dir: Path) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "archgen.runtime.reaper", str(run_dir)],
            stdin=subprocess.PIPE, start_new_session=True, text=True)

    def watch(self, pgid: int, start: int | None) -> None:
        self._send(f"+{pgid}" if start is None else f"+{pgid} {start}")

    def forget(self, pgid: int) -> None:
        self._send(f"-{pgid}")

    def close(self, timeout_s: float = 10.0) -> None:
        """Close the pipe and wait for the reaper to finish its sweep."""
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout_s)

    def _send(self, line: str) -> None:
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.write(line + "\n")
                self._proc.stdin.flush()


def sweep(groups: dict[int, int | None], run_dir: Path) -> None:
    """Kill each group (PGID: its leader's start time, None when unknown) and free what
    a killed PostgreSQL leaves behind."""
    for pgid, start in sorted(groups.items()):
        kill_group(pgid, signal.SIGKILL, start)
    from archgen.runtime.pgdata import release_shared_memory

    release_shared_memory(run_dir)  # a killed PostgreSQL's segment outlives it
    shutil.rmtree(run_dir, ignore_errors=True)


def serve(stream: IO[str], run_dir: Path) -> None:
    groups: dict[int, int | None] = {}
    for line in stream:
        sign, numbers = line[:1], line[1:].split()
        if sign not in ("+", "-") or not numbers or not all(n.isdigit() for n in numbers):
            continue
        if sign == "-":
            groups.pop(int(numbers[0]), None)
        else:
            groups[int(numbers[0])] = int(numbers[1]) if len(numbers) > 1 else None
    sweep(groups, run_dir)


def main(argv: list[str]) -> int:
    # Terminal signals are archgen's business; the reaper only listens to its pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    serve(sys.stdin, Path(argv[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
