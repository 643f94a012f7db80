"""The reaper: a watchdog process that cleans up after `archgen up` however it ends.

A child cannot clean up after its parent is SIGKILLed, and PostgreSQL's backends
are grandchildren. So `archgen up` starts this small process first and tells it,
one line at a time, each process group it starts (`+PGID`) or has stopped
(`-PGID`). When the pipe closes (EOF: archgen exited, crashed or was killed)
the reaper kills every group still listed and removes the run's folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO


class Reaper:
    """archgen's end of the pipe."""

    def __init__(self, run_dir: Path) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "archgen.runtime.reaper", str(run_dir)],
            stdin=subprocess.PIPE, start_new_session=True, text=True)

    def watch(self, pgid: int) -> None:
        self._send(f"+{pgid}")

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


def sweep(groups: set[int], run_dir: Path) -> None:
    for pgid in sorted(groups):
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)
    from archgen.runtime.pgdata import release_shared_memory

    release_shared_memory(run_dir)  # a killed PostgreSQL's segment outlives it
    shutil.rmtree(run_dir, ignore_errors=True)


def serve(stream: IO[str], run_dir: Path) -> None:
    groups: set[int] = set()
    for line in stream:
        text = line.strip()
        if text[1:].isdigit() and text[0] in "+-":
            (groups.add if text[0] == "+" else groups.discard)(int(text[1:]))
    sweep(groups, run_dir)


def main(argv: list[str]) -> int:
    # Terminal signals are archgen's business; the reaper only listens to its pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    serve(sys.stdin, Path(argv[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
