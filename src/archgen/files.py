"""Atomic file writes: readers see the old content or the new, never half a file.

The one place archgen stages a temp file; the generator writer, `init`,
`schema -o` and the reporters' `-o FILE` all write through here.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from archgen.errors import OutputError


def atomic_write(target: Path, data: bytes) -> None:
    """Replace `target` (or create it) atomically, keeping an existing file's mode."""
    tmp = _staged(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_replacing(target: Path, text: str) -> None:
    atomic_write(target, text.encode("utf-8"))


def write_new(target: Path, text: str) -> None:
    """Write a file that must not exist yet, atomically: never half-written, never overwritten."""
    if target.exists():
        raise OutputError(f"{target} already exists; refusing to overwrite it",
                          "choose another directory or remove the file")
    tmp = _staged(target, text.encode("utf-8"))
    try:
        os.link(tmp, target)  # fails if the target appeared meanwhile
    except FileExistsError:
        raise OutputError(f"{target} already exists; refusing to overwrite it") from None
    finally:
        os.unlink(tmp)


def _staged(target: Path, data: bytes) -> str:
    """`data` in a synced temp file beside `target`, with the mode the target will have."""
    parent = target.parent if str(target.parent) else Path(".")
    mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # mkstemp makes 0600; written files are as readable as others
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
