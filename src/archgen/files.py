"""Atomic file writes: readers see the old content or the new, never half a file.

The one place archgen writes a file others read: the generator writer (its
files, journal and manifest), `init`, `schema -o`, the reporters' `-o FILE`,
`archgen up`'s state, the development key and the load-test report. The data
goes to a temp file in the target's folder (same filesystem, so the rename is
atomic), is synced, and is renamed over the target; on any error the temp file
is removed and the old file is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from archgen.errors import OutputError


def atomic_write(target: Path, data: bytes, *, mode: int | None = None,
                 staging: Path | None = None, sync: bool = True) -> None:
    """Replace `target` (or create it) atomically.

    `mode`: the new file's mode; by default an existing file's, else 0666 less the umask.
    `staging`: a fixed temp name beside the target instead of a fresh one, for a writer
    that must recognise its own leftovers after a kill (the generator writer).
    `sync`: fsync the data before the rename and the folder after it, so the new file
    survives a power cut too; the generator writer skips it for its many files, because
    its synced journal already tells the next run what to check.
    """
    tmp = _staged(target, data, mode, staging, sync)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if sync:
        _sync_folder(target)


def atomic_create(target: Path, data: bytes, *, mode: int | None = None) -> bool:
    """Create `target` whole, only if nothing is there; False (nothing written) if it was,
    or appeared meanwhile: another process created it first."""
    if os.path.lexists(target):
        return False
    tmp = _staged(target, data, mode, None, sync=True)
    try:
        os.link(tmp, target)  # unlike rename, never replaces a file that appeared meanwhile
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)
    _sync_folder(target)
    return True


def write_replacing(target: Path, text: str) -> None:
    atomic_write(target, text.encode("utf-8"))


def write_new(target: Path, text: str) -> None:
    """Write a file that must not exist yet, atomically: never half-written, never overwritten."""
    if not atomic_create(target, text.encode("utf-8")):
        raise OutputError(f"{target} already exists; refusing to overwrite it",
                          "choose another directory or remove the file")


def _staged(target: Path, data: bytes, mode: int | None, staging: Path | None,
            sync: bool) -> str:
    """`data` in a temp file beside `target`, with the mode the target will have."""
    if mode is None:
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
    if staging is None:
        parent = target.parent if str(target.parent) else Path(".")
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
    else:
        tmp = str(staging)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # the temp starts 0600: a secret is never readable on the way
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def _sync_folder(target: Path) -> None:
    """Make the rename itself durable (the folder's entry), where the system allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(target.parent if str(target.parent) else ".", os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
