"""One writer per output folder: an advisory lock on the folder itself.

flock on the folder's own descriptor needs no lock file (nothing to leave
behind) and the kernel drops it when the process dies, even by SIGKILL, so a
crashed run never blocks the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from archgen.errors import OutputError

WAIT_S = 5.0
_POLL_S = 0.05


@contextlib.contextmanager
def folder_lock(root: Path, wait_s: float = WAIT_S) -> Iterator[None]:
    """Hold the lock on `root` (created if missing) for the block; OutputError after `wait_s`."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OutputError(f"{root}: cannot open the output folder ({exc.strerror})") from None
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputError(
                        f"{root}: another `archgen generate` is writing into this folder",
                        "wait for it to finish, or write to another folder") from None
                time.sleep(_POLL_S)
        yield
    finally:
        os.close(fd)  # closing releases the lock
