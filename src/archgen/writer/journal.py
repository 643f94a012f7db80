"""Crash consistency: a write-ahead journal beside the manifest.

Before its first change the writer saves `.archgen-journal.json`: for every path
it is about to write or remove, the manifest entry before and the entry after.
Files are staged under one fixed temp name and renamed into place (readers see
old or new, never half), then the new manifest replaces the old one and the
journal is removed.

A run that finds a journal knows an earlier run was cut off (SIGKILL, power,
a crash) and recovers before planning: per journaled path the file on disk
decides. It has the new hash: archgen wrote it, record the new entry. It has
the old hash, or is gone after a removal: keep the old state. Anything else
cannot be archgen's write: keep the old entry, so it reads as a user edit.
The staged temp files of journaled paths are removed, and so are those of the
journal and the manifest themselves: a run killed while staging its journal
leaves no journal to say so, only that temp file. The manifest then
describes the folder again, and planning starts from the truth: no `--force`.
The same recovery runs in-process when a run stops on an exception or signal.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from archgen.errors import OutputError
from archgen.files import atomic_write
from archgen.writer.cache import Seen, seen_now
from archgen.writer.manifest import Entry, Manifest, entry_from_json, manifest_text
from archgen.writer.paths import CACHE, JOURNAL, MANIFEST, file_hash, safe_target, temp_of


@dataclass(frozen=True, slots=True)
class Pending:
    old: Entry | None
    new: Entry | None  # None: the path is being removed (or forgotten)
    forget: bool = False  # drop the entry, leave the file: it is the user's now


def stage_and_replace(target: Path, data: bytes, mode: int, sync: bool = False) -> None:
    """Write `data` to `target` atomically through its fixed temp name (see paths.TEMP_SUFFIX)."""
    atomic_write(target, data, mode=mode, staging=temp_of(target), sync=sync)


def begin(root: Path, pending: Mapping[str, Pending]) -> None:
    doc = {"format": 1, "pending": {
        p: {"old": x.old.as_json() if x.old else None, "new": x.new.as_json() if x.new else None,
            "forget": x.forget}
        for p, x in sorted(pending.items())}}
    text = json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False)
    stage_and_replace(root / JOURNAL, text.encode("utf-8"), 0o644, sync=True)


def read_pending(root: Path) -> dict[str, Pending] | None:
    path = root / JOURNAL
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(p): Pending(entry_from_json(x["old"]) if x["old"] else None,
                                entry_from_json(x["new"]) if x["new"] else None,
                                bool(x.get("forget", False)))
                for p, x in data["pending"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise OutputError(f"{path} is not a journal archgen can read ({exc})",
                          "delete it: the manifest then stands as it was") from None


def settle(root: Path, manifest: Manifest, pending: Mapping[str, Pending],
           seen: dict[str, Seen] | None = None) -> Manifest:
    """The manifest that describes the folder after the journaled changes, done or not;
    into `seen`, the stat of every file found holding its new entry's hash."""
    settled = dict(manifest)
    for path, change in pending.items():
        if change.forget:
            settled.pop(path, None)
            continue
        try:
            target = safe_target(root, path)
        except OutputError:
            continue
        with contextlib.suppress(OSError):
            os.unlink(temp_of(target))
        current = file_hash(target)
        if change.new is not None and current == change.new.sha256:
            settled[path] = change.new
            if seen is not None:
                fact = seen_now(target, change.new.sha256)
                if fact is not None:
                    seen[path] = fact
        elif change.new is None and current is None:
            settled.pop(path, None)
        elif change.old is not None:
            settled[path] = change.old
        else:
            settled.pop(path, None)
    return settled


def finish(root: Path, manifest: Manifest) -> None:
    """Save the settled manifest, then drop the journal (in that order: see module doc)."""
    stage_and_replace(root / MANIFEST, manifest_text(manifest).encode("utf-8"), 0o644,
                      sync=True)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(root / JOURNAL)


def staged_own_files(root: Path) -> list[Path]:
    """The temp files of the journal and the manifest an interrupted run left, if any."""
    return [t for t in (temp_of(root / JOURNAL), temp_of(root / MANIFEST),
                        temp_of(root / CACHE)) if os.path.lexists(t)]


def recover(root: Path, manifest: Manifest) -> Manifest:
    """Undo the traces of an interrupted run, if any; the manifest that is true now."""
    for temp in staged_own_files(root):  # half a journal or manifest: never read, removed
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    pending = read_pending(root)
    if pending is None:
        return manifest
    settled = settle(root, manifest, pending)
    finish(root, settled)
    return settled
