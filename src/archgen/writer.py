"""The only code that writes generated output (issue 4; ARCHITECTURE.md "writer").

A manifest (`.archgen-manifest.json` in the output folder) records, per path,
the sha256 of what archgen wrote, the generator and whether the output is
reproducible. From it the writer knows which files are its own and whether the
user edited them since:

- a file the user edited is never overwritten (reported, skipped) unless `force`;
- a file the manifest does not list is never touched, not even with `force`;
- a managed file the plan no longer contains is removed only if unmodified;
- every write is temp file + os.replace: readers see old or new, never half;
- a path that is absolute, has `..`, or leads out through a symlink is refused
  before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath

from archgen.errors import OutputError
from archgen.files import atomic_write
from archgen.generators.base import OutputFile

MANIFEST = ".archgen-manifest.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Entry:
    sha256: str
    generator: str
    reproducible: bool = True


Manifest = dict[str, Entry]


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ADOPT = "adopt"  # already on disk with the planned content: recorded, not rewritten
    DELETE = "delete"
    SKIP = "skip"  # not written: edited by the user, or not archgen's file
    KEEP = "keep"  # stale but edited by the user: left in place, no longer managed


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    action: Action
    reason: str = ""

    def line(self) -> str:
        return f"{self.action.value} {self.path}" + (f" ({self.reason})" if self.reason else "")


@dataclass(frozen=True, slots=True)
class WriteResult:
    root: Path
    changes: tuple[Change, ...]
    dry_run: bool

    @property
    def skipped(self) -> list[Change]:
        return [c for c in self.changes if c.action is Action.SKIP]

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)


class DriftKind(StrEnum):
    MISSING = "missing"
    CHANGED = "changed"
    EXTRA = "extra"


@dataclass(frozen=True, slots=True)
class Drift:
    path: str
    kind: DriftKind
    detail: str

    def line(self) -> str:
        return f"{self.kind.value} {self.path}: {self.detail}"


# ---------------------------------------------------------------- paths and hashes
def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_bytes(file: OutputFile) -> bytes:
    return file.content.encode("utf-8") if isinstance(file.content, str) else file.content


def safe_target(root: Path, relative: str) -> Path:
    """`root / relative`, or OutputError if it would leave `root` (resolved) by any means."""
    parts = relative.split("/")
    if (not relative or "\\" in relative or "\x00" in relative
            or PurePosixPath(relative).is_absolute()
            or any(p in ("", ".", "..") for p in parts)):
        raise OutputError(f"refusing to write {relative!r}: output paths must be relative, "
                          "without '..', '.', empty parts or backslashes",
                          "this is a bug in a generator; please report it")
    if parts[0] == MANIFEST:
        raise OutputError(f"refusing to write {relative!r}: the manifest is archgen's own")
    target = root.joinpath(*parts)
    if not target.resolve().is_relative_to(root):
        raise OutputError(f"refusing to write {relative!r}: it leads outside {root} "
                          "through a symbolic link", "remove the link or choose another folder")
    return target


def _file_hash(path: Path) -> str | None:
    """The sha256 of a regular file, None if nothing is there; OutputError for a folder."""
    if not os.path.lexists(path):
        return None
    if path.is_dir():
        raise OutputError(f"{path} is a folder where archgen writes a file",
                          "move the folder away")
    if not path.exists():  # a dangling symlink inside the folder: replaced like a file
        return ""
    return sha256(path.read_bytes())


# ---------------------------------------------------------------- manifest
def read_manifest(root: Path) -> Manifest:
    path = root / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
        return {str(p): Entry(str(e["sha256"]), str(e["generator"]),
                              bool(e.get("reproducible", True)))
                for p, e in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise OutputError(f"{path} is not a manifest archgen can read ({exc})",
                          "restore it from version control, or delete it: archgen then "
                          "treats every existing file as yours and overwrites none") from None


def manifest_text(manifest: Mapping[str, Entry]) -> str:
    files = {p: {"sha256": e.sha256, "generator": e.generator, "reproducible": e.reproducible}
             for p, e in sorted(manifest.items())}
    doc = {"format": MANIFEST_FORMAT, "generated_by": "archgen", "files": files}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- planning
def _validated(root: Path, files: Sequence[OutputFile]) -> list[tuple[OutputFile, Path]]:
    seen: set[str] = set()
    out = []
    for file in sorted(files, key=lambda f: f.path):
        if file.path in seen:
            raise OutputError(f"two generators both produce {file.path}",
                              "this is a bug in a generator; please report it")
        seen.add(file.path)
        out.append((file, safe_target(root, file.path)))
    return out


def _planned_change(file: OutputFile, target: Path, entry: Entry | None,
                    force: bool) -> Change:
    current = _file_hash(target)
    if current is None:
        return Change(file.path, Action.CREATE)
    if current == sha256(content_bytes(file)):
        return Change(file.path, Action.UNCHANGED if entry else Action.ADOPT)
    if entry is None:
        return Change(file.path, Action.SKIP,
                      "exists and archgen did not write it; move it away to generate it")
    if current == entry.sha256:
        return Change(file.path, Action.UPDATE)
    if force:
        return Change(file.path, Action.UPDATE, "overwriting your edits (--force)")
    return Change(file.path, Action.SKIP,
                  "edited since archgen wrote it; --force overwrites it")


def _stale_changes(root: Path, manifest: Manifest, planned: Collection[str],
                   generators: Collection[str]) -> list[Change]:
    out = []
    for path, entry in sorted(manifest.items()):
        if entry.generator not in generators or path in planned:
            continue
        try:
            target = safe_target(root, path)
            current = _file_hash(target)
        except OutputError:
            out.append(Change(path, Action.KEEP, "not a path archgen may touch; forgotten"))
            continue
        if current is None:
            out.append(Change(path, Action.DELETE, "already gone"))
        elif current == entry.sha256:
            out.append(Change(path, Action.DELETE, "no longer generated"))
        else:
            out.append(Change(path, Action.KEEP,
                              "no longer generated, but edited by you: kept, no longer managed"))
    return out


def plan_changes(root: Path, files: Sequence[OutputFile], generators: Collection[str],
                 force: bool = False) -> tuple[list[Change], Manifest]:
    """What writing `files` would do; reads the disk, changes nothing.

    `generators` are the generators that produced `files`: only their stale
    files are candidates for removal (`--only openapi` leaves asyncapi alone).
    """
    manifest = read_manifest(root)
    validated = _validated(root, files)
    changes = [_planned_change(f, t, manifest.get(f.path), force) for f, t in validated]
    planned = {f.path for f, _ in validated}
    return changes + _stale_changes(root, manifest, planned, generators), manifest


# ---------------------------------------------------------------- writing
def write(out_dir: Path, files: Sequence[OutputFile], generators: Collection[str],
          *, force: bool = False, dry_run: bool = False) -> WriteResult:
    """Bring `out_dir` in line with `files` (see the module docstring for the guarantees)."""
    root = out_dir.resolve()
    changes, manifest = plan_changes(root, files, generators, force)
    if dry_run:
        return WriteResult(root, tuple(changes), True)
    by_path = {f.path: f for f in files}
    updated = dict(manifest)
    try:
        for change in changes:
            _apply(root, change, by_path.get(change.path), updated)
    except OSError as exc:
        raise OutputError(f"cannot write into {root}: {exc}") from exc
    finally:
        # Record whatever was done, even when a later write failed.
        if updated != manifest or (updated and not (root / MANIFEST).exists()):
            _atomic_write(root / MANIFEST, manifest_text(updated).encode("utf-8"))
    return WriteResult(root, tuple(changes), False)


def _apply(root: Path, change: Change, file: OutputFile | None, manifest: Manifest) -> None:
    if change.action is Action.SKIP:
        return  # an edited managed file keeps its old entry, so it stays "edited"
    if change.action in (Action.DELETE, Action.KEEP):
        if change.action is Action.DELETE:
            target = safe_target(root, change.path)
            if os.path.lexists(target):
                target.unlink()
                _remove_empty_parents(root, target.parent)
        manifest.pop(change.path, None)
        return
    assert file is not None  # every other action comes from a planned file
    data = content_bytes(file)
    if change.action in (Action.CREATE, Action.UPDATE):
        target = safe_target(root, file.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        safe_target(root, file.path)  # again: a link may have appeared while creating folders
        _atomic_write(target, data)
    manifest[file.path] = Entry(sha256(data), file.generator, file.reproducible)


def _remove_empty_parents(root: Path, folder: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()  # only succeeds when empty: user files keep their folder
        except OSError:
            return
        folder = folder.parent


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, data)


# ---------------------------------------------------------------- checking
def check(out_dir: Path, files: Sequence[OutputFile],
          generators: Collection[str]) -> list[Drift]:
    """How `out_dir` differs from `files`: missing, changed and extra managed files.

    Non-reproducible files (binary renderings) are only checked for presence.
    """
    root = out_dir.resolve()
    manifest = read_manifest(root)
    drifts = []
    for file, target in _validated(root, files):
        current = _file_hash(target)
        if current is None:
            drifts.append(Drift(file.path, DriftKind.MISSING, "not generated yet"))
        elif file.reproducible and current != sha256(content_bytes(file)):
            entry = manifest.get(file.path)
            edited = entry is not None and entry.sha256 != current
            why = "edited by hand" if edited else "differs from what the catalog generates"
            drifts.append(Drift(file.path, DriftKind.CHANGED, why))
    planned = {f.path for f in files}
    for change in _stale_changes(root, manifest, planned, generators):
        if change.reason != "already gone" and _exists_inside(root, change.path):
            drifts.append(Drift(change.path, DriftKind.EXTRA,
                                "archgen wrote it, but the catalog no longer generates it"))
    return drifts


def _exists_inside(root: Path, relative: str) -> bool:
    try:
        return os.path.lexists(safe_target(root, relative))
    except OutputError:
        return False


def describe(changes: Iterable[Change]) -> list[str]:
    """One line per change that does something (unchanged files are not news)."""
    return [c.line() for c in changes if c.action is not Action.UNCHANGED]
