"""Compiled templates kept between runs: Jinja's bytecode, in the user's own cache folder.

Compiling archgen's templates took about a third of a small system's `archgen generate`
(0.2-0.5 s of CPU for 76 templates, every run). Jinja keys each entry by the template's
name and a checksum of its source, and its format by the Python version, so an edited or
upgraded template is compiled again, never served stale.

Bytecode is code this process runs, so the folder must be the user's alone:
`$XDG_CACHE_HOME/archgen/templates` (`~/.cache/...` by default), created 0700 and used
only while it is a real folder of this user that nobody else may write. Otherwise, or
when it cannot be written (a read-only home), the templates are compiled in memory as
before: the cache only ever saves time. `ARCHGEN_TEMPLATE_CACHE=off` turns it off.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

OFF_ENV = "ARCHGEN_TEMPLATE_CACHE"


class _QuietCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache, whose failures to read or write cost a compile, not the run."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "archgen" / "templates"


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """The cache, or None when it is off or its folder is not safe to run code from."""
    if os.environ.get(OFF_ENV, "").lower() in ("off", "0", "no", "false"):
        return None
    folder = cache_folder()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = os.lstat(folder)
    except OSError:
        return None
    private = (stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid()
               and not found.st_mode & (stat.S_IWGRP | stat.S_IWOTH))
    return _QuietCache(str(folder)) if private else None
