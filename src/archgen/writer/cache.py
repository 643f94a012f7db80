"""The cache beside the manifest (`.archgen-cache.json`): what a later run may skip.

Two kinds of facts, both advisory (a missing, stale or unreadable cache only makes
a run read and render more, never write less than it must):

- per file, the stat it had when archgen last hashed it (sha256, size, mtime in
  ns, mode): a later run trusts the manifest's hash without reading the file when
  the stat is the same and the hash is the manifest's (as git trusts its index);
- per planning unit (one service's files, generation.py), the fingerprint of what
  it read and the hashes of the files it made: a later run with the same
  fingerprint, and those files on disk as recorded, skips rendering the unit.

Neither goes into the manifest: stats are facts of one checkout, and the
manifest is committed. Every fact names the hash it vouches for, so a run cut off
between the manifest and the cache leaves facts that no longer match and are
ignored. Only the writer saves it, under the folder lock, after the manifest.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from archgen.writer.paths import CACHE

CACHE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Seen:
    """A file as archgen last hashed it."""

    sha256: str
    size: int
    mtime_ns: int
    executable: bool

    def holds(self, sha256: str, st: os.stat_result) -> bool:
        """Whether a file with stat `st` can be taken to hold `sha256` without reading it."""
        return (self.sha256 == sha256 and stat.S_ISREG(st.st_mode)
                and st.st_size == self.size and st.st_mtime_ns == self.mtime_ns
                and bool(st.st_mode & 0o100) == self.executable)


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """What a planning unit read (its fingerprint) and made (path -> sha256)."""

    inputs: str
    files: Mapping[str, str]


@dataclass(slots=True)
class Cache:
    files: dict[str, Seen] = field(default_factory=dict)
    units: dict[str, UnitRecord] = field(default_factory=dict)


def seen_now(target: Path, sha256: str) -> Seen | None:
    """The stat of `target`, known to hold `sha256` this moment; None if not a file."""
    try:
        st = os.lstat(target)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return Seen(sha256, st.st_size, st.st_mtime_ns, bool(st.st_mode & 0o100))


def read_cache(root: Path) -> Cache:
    """The cache of `root`; empty when absent or unreadable (never an error)."""
    try:
        data = json.loads((root / CACHE).read_text(encoding="utf-8"))
        if data.get("format") != CACHE_FORMAT:
            return Cache()
        files = {str(p): Seen(str(s), int(n), int(m), bool(x))
                 for p, (s, n, m, x) in data["files"].items()}
        units = {str(k): UnitRecord(str(u["inputs"]), {str(p): str(h)
                                                       for p, h in u["files"].items()})
                 for k, u in data["units"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Cache()
    return Cache(files, units)


def read_raw_stats(root: Path) -> dict[str, object]:
    """The cache's per-file facts as stored ([sha256, size, mtime_ns, executable] by
    path), for the no-op path, which compares them without making objects."""
    try:
        data = json.loads((root / CACHE).read_bytes())
        files = data["files"] if data.get("format") == CACHE_FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    return files if isinstance(files, dict) else {}


def save_cache(root: Path, cache: Cache) -> None:
    """Write the cache atomically; a failure to write it only costs a later run time."""
    from archgen.writer.journal import stage_and_replace

    doc = {"format": CACHE_FORMAT,
           "files": {p: [s.sha256, s.size, s.mtime_ns, s.executable]
                     for p, s in sorted(cache.files.items())},
           "units": {k: {"inputs": u.inputs, "files": dict(sorted(u.files.items()))}
                     for k, u in sorted(cache.units.items())}}
    with contextlib.suppress(OSError):
        stage_and_replace(root / CACHE, json.dumps(doc, separators=(",", ":")).encode(),
                          0o644)
