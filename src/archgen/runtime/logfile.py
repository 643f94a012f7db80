"""The parts' merged log on disk, `name | line` like `archgen up` prints it: what
`archgen logs` reads (and follows), during a run and after it.

It is bounded: past MAX_BYTES the file moves to `<name>.1` (the one before is
dropped) and a new one starts; a follower notices and reads the new file.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

SEPARATOR = " | "
MAX_BYTES = 64 * 1024 * 1024
FOLLOW_POLL_S = 0.2


def prefix(name: str, width: int) -> str:
    """The prefix of a part's lines: its name padded to the longest name, then ` | `."""
    return f"{name:<{width}}{SEPARATOR}"


def part_of(line: str) -> str | None:
    """The part a logged line comes from; None for a line without a prefix."""
    name, sep, _ = line.partition(SEPARATOR)
    return name.rstrip() if sep else None


class LogWriter:
    """Appends each part's lines to the log, line by line (a follower sees them at once)."""

    def __init__(self, path: Path, width: int) -> None:
        self.path = path
        self.width = width
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = path.open("w", encoding="utf-8", buffering=1)
        self._size = 0

    def write(self, name: str, line: str) -> None:
        text = prefix(name, self.width) + line + "\n"
        self._size += len(text)
        if self._size > MAX_BYTES:
            self._rotate()
            self._size = len(text)
        with contextlib.suppress(OSError, ValueError):  # a full disk stops the log, not the run
            self._file.write(text)

    def _rotate(self) -> None:
        self._file.close()
        with contextlib.suppress(OSError):
            os.replace(self.path, self.path.with_name(self.path.name + ".1"))
        self._file = self.path.open("w", encoding="utf-8", buffering=1)

    def close(self) -> None:
        self._file.close()


def read(path: Path, part: str | None = None) -> Iterator[str]:
    """The log's lines (of one part, or all), without their line ends."""
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except OSError:
        return
    with handle:
        for line in handle:
            if part is None or part_of(line) == part:
                yield line.rstrip("\n")


def follow(path: Path, part: str | None, running: Callable[[], bool],
           sink: Callable[[str], None]) -> None:
    """Print the log, then each new line as it comes, until `running()` turns False."""
    handle: IO[str] | None = None
    inode = None
    pending = ""
    try:
        while True:
            alive = running()  # read before the file: the last lines print, then it ends
            if handle is None or _moved(path, inode):
                if handle is not None:  # moved aside: the old file's last lines first
                    pending = _emit(pending + handle.read(), part, sink)
                    handle.close()
                try:
                    handle = path.open(encoding="utf-8", errors="replace")
                    inode = os.fstat(handle.fileno()).st_ino
                except OSError:
                    handle = None
            if handle is not None:
                pending = _emit(pending + handle.read(), part, sink)
            if not alive:
                return
            time.sleep(FOLLOW_POLL_S)
    finally:
        if handle is not None:
            handle.close()


def _emit(text: str, part: str | None, sink: Callable[[str], None]) -> str:
    """Send the complete lines of `text` on; the unfinished rest is returned."""
    *lines, rest = text.split("\n")
    for line in lines:
        if part is None or part_of(line) == part:
            sink(line)
    return rest


def _moved(path: Path, inode: int | None) -> bool:
    try:
        return path.stat().st_ino != inode
    except OSError:
        return False
