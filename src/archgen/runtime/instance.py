"""One `archgen up` per output folder, and how the other commands find it.

The supervisor holds an exclusive lock on `<output>/.archgen/up.lock` while it
lives and writes its PID into it. The kernel drops the lock however the process
ends (a SIGKILL included), so a held lock always means a live supervisor, even
one still starting, before up.json exists.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path
from typing import IO

from archgen.runtime import state
from archgen.runtime.devkeys import STATE_DIR

LOCK_FILE = "up.lock"
LOG_FILE = "up.log"  # the parts' merged log (logfile.py)
CONSOLE_FILE = "up.console.log"  # what a detached supervisor itself prints
LOCK_TRIES = 5
DATA_DIR = "data"  # --keep-data: the stores' data across runs


class AlreadyRunning(Exception):
    """Another supervisor holds the output folder; the message says which, and where."""


def state_dir(output: Path) -> Path:
    return output / STATE_DIR


def log_path(output: Path) -> Path:
    return state_dir(output) / LOG_FILE


def data_dir(output: Path) -> Path:
    return state_dir(output) / DATA_DIR


class Lock:
    """The output folder's lock, held from `acquire` until `release` (or the process ends)."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self._handle.close()


def acquire(output: Path) -> Lock:
    """Take the folder for this process; AlreadyRunning when another supervisor has it."""
    path = state_dir(output) / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")  # not inherited by the parts (PEP 446)
    for attempt in range(LOCK_TRIES):  # `holder` takes it for an instant: try again
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            if attempt == LOCK_TRIES - 1:
                handle.close()
                raise AlreadyRunning(running_message(output)) from None
            time.sleep(0.05)
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return Lock(handle)


def holder(output: Path) -> int | None:
    """The PID of the supervisor that holds the folder; None when no one does."""
    path = state_dir(output) / LOCK_FILE
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            text = handle.read().strip()
            return int(text) if text.isdigit() else None
        return None  # we got it: nobody holds it (closing the file lets it go)


def running_message(output: Path) -> str:
    """`archgen up` is already running for OUTPUT (PID): gateway at URL."""
    pid = holder(output)
    running = state.read(output)
    where = "still starting"
    if running is not None:
        pid = running.pid
        if running.gateway:
            where = f"gateway at {running.gateway}"
        else:
            where = "services at " + ", ".join(f"{n} {u}" for n, u in running.services.items())
    who = f" (pid {pid})" if pid else ""
    return f"archgen up is already running for {output}{who}: {where}"


def output_folder(catalog: Path, output: Path | None) -> Path:
    """The output folder `archgen up` runs from: -o, or generated/<system.name> of the catalog."""
    if output is not None:
        return output
    from archgen.catalog import load_catalog
    from archgen.errors import UsageError

    loaded = load_catalog(catalog)
    if loaded.catalog is None:
        raise UsageError(f"{catalog}: cannot read the system's name from it",
                         "pass the output folder with -o DIR, or fix the catalog "
                         "(`archgen validate` says what is wrong)")
    name: str = loaded.catalog.system.name
    return Path("generated") / name
