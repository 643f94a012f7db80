"""Small atomic file writes for single files (the generator writer has its own manifest logic)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from archgen.errors import OutputError


def write_new(target: Path, text: str) -> None:
    """Write a file that must not exist yet, atomically: never half-written, never overwritten."""
    if target.exists():
        raise OutputError(f"{target} already exists; refusing to overwrite it",
                          "choose another directory or remove the file")
    tmp = _temp_with(target, text)
    try:
        os.link(tmp, target)  # fails if the target appeared meanwhile
    except FileExistsError:
        raise OutputError(f"{target} already exists; refusing to overwrite it") from None
    finally:
        os.unlink(tmp)


def write_replacing(target: Path, text: str) -> None:
    """Replace a file atomically: readers see the old or the new content, nothing between."""
    os.replace(_temp_with(target, text), target)


def _temp_with(target: Path, text: str) -> str:
    parent = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return tmp
