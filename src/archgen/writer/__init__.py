"""The only code that writes generated output (docs/architecture.md, "The writer").

The manifest (`.archgen-manifest.json`) records what archgen wrote, per path:
hash, generator, ownership, mode. From it the writer knows which files are its
own and whether anyone edited them since:

- MANAGED files are rewritten when the catalog changes; one the user edited is
  reported and kept (exit 1) unless `force`; one no longer planned is removed
  only if unmodified;
- SCAFFOLD files are created once when missing and never rewritten, reported
  or removed again: they are the team's;
- a file the manifest does not list is never touched, not even with `force`;
- one writer per folder (lock.py); every change is journaled first and every
  file staged and renamed (journal.py), so an interrupted run converges on
  the next one;
- a path that is absolute, has `..`, or leads out through a symlink is refused
  before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from archgen.errors import OutputError
from archgen.output import OutputFile, Ownership
from archgen.writer import journal
from archgen.writer.cache import Cache, Seen, UnitRecord, read_cache, save_cache
from archgen.writer.lock import folder_lock
from archgen.writer.manifest import MANIFEST_FORMAT, Entry, Manifest, read_manifest
from archgen.writer.paths import (
    CACHE,
    JOURNAL,
    MANIFEST,
    SafeTargets,
    file_hash,
    is_executable,
    safe_target,
    sha256,
)

__all__ = ["JOURNAL", "MANIFEST", "MANIFEST_FORMAT", "Action", "Change", "Drift", "DriftKind",
           "Entry", "UnitRecord", "WriteResult", "check", "describe", "plan_changes",
           "read_manifest", "sha256", "write"]


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    FOREIGN = "foreign"  # not archgen's, already holds the planned content: left alone
    DELETE = "delete"
    SKIP = "skip"  # not written: edited by the user, or not archgen's file
    KEEP = "keep"  # no longer planned but the user's (edited, or scaffold): left in place


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
    EDITED = "edited"
    EXTRA = "extra"
    MODE = "mode"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class Drift:
    path: str
    kind: DriftKind
    detail: str

    def line(self) -> str:
        return f"{self.kind.value} {self.path}: {self.detail}"


def entry_of(file: OutputFile) -> Entry:
    return Entry(sha256(file.data), file.generator, file.reproducible, file.ownership,
                 file.executable)


# ---------------------------------------------------------------- planning
def _validated(root: Path, files: Sequence[OutputFile], carried: Collection[str] = (),
               targets: SafeTargets | None = None) -> list[tuple[OutputFile, Path]]:
    seen: set[str] = set(carried)
    targets = targets or SafeTargets(root)
    out = []
    for file in sorted(files, key=lambda f: f.path):
        if file.path in seen:
            raise OutputError(f"two generators both produce {file.path}",
                              "this is a bug in a generator; please report it")
        seen.add(file.path)
        out.append((file, targets(file.path)))
    return out


class _Disk:
    """What is on disk, for planning: hashes, trusting the cache's stats (cache.py).

    Learns the stat of every file it reads (taken before reading, so a file changed
    meanwhile never matches it later): facts for the next run's cache.
    """

    def __init__(self, root: Path, cache: Cache | None = None) -> None:
        self.targets = SafeTargets(root)
        self.cache = cache if cache is not None else Cache()
        self.learnt: dict[str, Seen] = {}

    def current(self, path: str, target: Path, entry: Entry | None) -> str | None:
        """The sha256 of the file at `target`, None if nothing is there."""
        try:
            st: os.stat_result | None = os.lstat(target)
        except OSError:
            st = None
        seen = self.cache.files.get(path)
        if entry is not None and seen is not None and st is not None \
                and seen.holds(entry.sha256, st):
            self.learnt[path] = seen
            return entry.sha256
        found = file_hash(target)
        if found and st is not None and stat.S_ISREG(st.st_mode):
            self.learnt[path] = Seen(found, st.st_size, st.st_mtime_ns,
                                     bool(st.st_mode & 0o100))
        return found


def _planned_change(file: OutputFile, target: Path, entry: Entry | None, force: bool,
                    disk: _Disk) -> Change:
    current = disk.current(file.path, target, entry)
    if current is None:
        return Change(file.path, Action.CREATE)
    if file.ownership is Ownership.SCAFFOLD:
        return Change(file.path, Action.UNCHANGED)  # the team's now, whatever it holds
    planned = sha256(file.data)
    same_mode = is_executable(target) == file.executable
    if entry is None:
        if current == planned:
            return Change(file.path, Action.FOREIGN,
                          "not archgen's, already as generated: left alone")
        return Change(file.path, Action.SKIP,
                      "exists and archgen did not write it; move it away to generate it")
    if current == planned and same_mode and entry.sha256 == planned:
        return Change(file.path, Action.UNCHANGED)
    if current in (entry.sha256, planned):
        return Change(file.path, Action.UPDATE)
    if force:
        return Change(file.path, Action.UPDATE, "overwriting your edits (--force)")
    return Change(file.path, Action.SKIP,
                  "edited since archgen wrote it: kept; --force overwrites it, or move the "
                  "edit into a scaffold file")


def _stale_changes(root: Path, manifest: Manifest, planned: Collection[str],
                   generators: Collection[str], disk: _Disk | None = None) -> list[Change]:
    """Changes for files the manifest lists that are no longer planned; without `disk`
    every one is read, no stat trusted (for --check)."""
    targets = disk.targets if disk is not None else SafeTargets(root)
    out = []
    for path, entry in sorted(manifest.items()):
        if entry.generator not in generators or path in planned:
            continue
        if entry.ownership is Ownership.SCAFFOLD:
            out.append(Change(path, Action.KEEP, "scaffold file: yours, kept, no longer listed"))
            continue
        try:
            target = targets(path)
            current = file_hash(target) if disk is None else disk.current(path, target, entry)
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
                 force: bool = False, manifest: Manifest | None = None,
                 carried: Mapping[str, Entry] | None = None, disk: _Disk | None = None
                 ) -> tuple[list[Change], Manifest]:
    """What writing `files` would do; reads the disk, changes nothing.

    `generators` are the generators that produced `files`: only their stale
    files are candidates for removal (`--only openapi` leaves asyncapi alone).
    `carried` are files planned but not rendered, because the unit that makes them
    read the same inputs as when it wrote them and they are on disk as written
    (generation.py): they stay as they are, entry and all.
    """
    if manifest is None:
        manifest = read_manifest(root)
    carried = carried or {}
    disk = disk or _Disk(root, read_cache(root))
    _check_carried(root, manifest, carried, disk)
    validated = _validated(root, files, carried, disk.targets)
    changes = [_planned_change(f, t, manifest.get(f.path), force, disk) for f, t in validated]
    changes += [Change(path, Action.UNCHANGED) for path in carried]
    changes.sort(key=lambda c: c.path)
    planned = {f.path for f, _ in validated} | set(carried)
    return changes + _stale_changes(root, manifest, planned, generators, disk), manifest


def _check_carried(root: Path, manifest: Manifest, carried: Mapping[str, Entry],
                   disk: _Disk) -> None:
    """Carried files must still be as the plan saw them (another run may have written)."""
    for path, entry in carried.items():
        try:
            st = os.lstat(disk.targets.text(path))
        except OSError:
            st = None
        seen = disk.cache.files.get(path)
        if manifest.get(path) != entry or st is None or not stat.S_ISREG(st.st_mode) or (
                entry.ownership is Ownership.MANAGED
                and (seen is None or not seen.holds(entry.sha256, st))):
            raise OutputError(f"{root}: {path} changed while archgen was planning",
                              "run `archgen generate` again")
        if seen is not None:  # still true: kept for the next run
            disk.learnt[path] = seen


# ---------------------------------------------------------------- writing
def write(out_dir: Path, files: Sequence[OutputFile], generators: Collection[str],
          *, force: bool = False, dry_run: bool = False,
          carried: Mapping[str, Entry] | None = None,
          units: Mapping[str, UnitRecord] | None = None) -> WriteResult:
    """Bring `out_dir` in line with `files` (see the module docstring for the guarantees).

    `carried`: planned files left as they are (see plan_changes); `units`: the
    planning units of this run, saved in the cache for those whose files all hold
    what was planned.
    """
    root = out_dir.resolve()
    if dry_run:
        manifest = journal.settle(root, read_manifest(root), journal.read_pending(root) or {})
        changes, _ = plan_changes(root, files, generators, force, manifest, carried)
        return WriteResult(root, tuple(changes), True)
    _validated(root, files)  # refuse bad paths before the folder is even created
    with folder_lock(root):
        manifest = journal.recover(root, read_manifest(root))
        cache = read_cache(root)
        disk = _Disk(root, cache)
        changes, _ = plan_changes(root, files, generators, force, manifest, carried, disk)
        # No cache while writing: a run cut off here leaves none to trust, only files to read.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(root / CACHE)
        final = _apply_all(root, changes, {f.path: f for f in files}, manifest, disk)
        save_cache(root, _next_cache(final, disk.learnt, units or {}))
    return WriteResult(root, tuple(changes), False)


def _next_cache(manifest: Manifest, learnt: Mapping[str, Seen],
                units: Mapping[str, UnitRecord]) -> Cache:
    """The facts worth keeping: stats of listed files, units whose files all hold what
    the unit made (a file kept because you edited it leaves its unit out)."""
    files = {p: s for p, s in learnt.items() if p in manifest}
    kept = {}
    for key, unit in units.items():
        entries = [manifest.get(p) for p in unit.files]
        if unit.files and all(
                e is not None and (e.sha256 == unit.files[p] or e.ownership is Ownership.SCAFFOLD)
                for p, e in zip(unit.files, entries, strict=True)):
            kept[key] = UnitRecord(unit.inputs, {p: e.sha256 for p, e in
                                                 zip(unit.files, entries, strict=True) if e})
    return Cache(files, kept)


def _apply_all(root: Path, changes: Sequence[Change], by_path: dict[str, OutputFile],
               manifest: Manifest, disk: _Disk) -> Manifest:
    """Write the changes; the manifest as saved (what is on disk now)."""
    pending = _pending(changes, by_path, manifest)
    if not pending and (root / MANIFEST).exists():
        return manifest
    journal.begin(root, pending)
    umask = _umask()
    settled = manifest
    try:
        with _terminate_cleanly():
            for change in changes:
                if change.path in pending:
                    _apply(root, change, by_path.get(change.path), umask)
    except OSError as exc:
        where = exc.filename or root
        raise OutputError(f"{where}: cannot write ({exc.strerror or exc})",
                          "fix the folder's permissions or free space, then run again; "
                          "what was written is recorded") from None
    finally:
        # Whatever happened, record exactly what is on disk now, then drop the journal.
        settled = journal.settle(root, manifest, pending, disk.learnt)
        journal.finish(root, settled)
    return settled


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """SIGTERM while writing unwinds like an exception (temp removed, manifest settled).

    Python's default SIGTERM ends the process on the spot; SIGKILL still can, and
    the journal covers that on the next run.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _pending(changes: Iterable[Change], by_path: dict[str, OutputFile],
             manifest: Manifest) -> dict[str, journal.Pending]:
    out = {}
    for change in changes:
        old = manifest.get(change.path)
        if change.action in (Action.CREATE, Action.UPDATE):
            out[change.path] = journal.Pending(old, entry_of(by_path[change.path]))
        elif change.action is Action.UNCHANGED and change.path in by_path:
            new = entry_of(by_path[change.path])
            if old != new and not (old is None and new.ownership is Ownership.SCAFFOLD):
                out[change.path] = journal.Pending(old, new)  # entry refreshed, file as is
        elif change.action is Action.DELETE:
            out[change.path] = journal.Pending(old, None)
        elif change.action is Action.KEEP and old is not None:
            out[change.path] = journal.Pending(old, None, forget=True)  # kept on disk
    return out


def _apply(root: Path, change: Change, file: OutputFile | None, umask: int) -> None:
    if change.action not in (Action.CREATE, Action.UPDATE, Action.DELETE):
        return  # entry-only changes: the journal's settlement records them
    target = safe_target(root, change.path)
    if change.action is Action.DELETE:
        if os.path.lexists(target):
            target.unlink()
            _remove_empty_parents(root, target.parent)
        return
    assert file is not None  # CREATE and UPDATE come from planned files
    target.parent.mkdir(parents=True, exist_ok=True)
    safe_target(root, file.path)  # again: a link may have appeared while creating folders
    mode = (0o777 if file.executable else 0o666) & ~umask
    journal.stage_and_replace(target, file.data, mode)


def _remove_empty_parents(root: Path, folder: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()  # only succeeds when empty: user files keep their folder
        except OSError:
            return
        folder = folder.parent


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- checking
def check(out_dir: Path, files: Sequence[OutputFile],
          generators: Collection[str]) -> list[Drift]:
    """How `out_dir` differs from `files`, file by file, against the manifest too.

    Reproducible files are compared with what the catalog generates now; files
    rendered by external tools (PNG, SVG, the page embedding them) with the hash
    the manifest recorded when archgen wrote them, so tampering shows either way.
    Scaffold files are the team's: only their absence is drift.
    """
    root = out_dir.resolve()
    manifest = read_manifest(root)
    drifts = []
    if (root / JOURNAL).exists():
        drifts.append(Drift(JOURNAL, DriftKind.INTERRUPTED,
                            "an earlier run was cut off; the next `archgen generate` recovers"))
    for file, target in _validated(root, files):
        drift = _file_drift(file, target, manifest.get(file.path))
        if drift is not None:
            drifts.append(drift)
    planned = {f.path for f in files}
    for change in _stale_changes(root, manifest, planned, generators):
        if change.action is Action.KEEP or change.reason == "already gone":
            continue
        drifts.append(Drift(change.path, DriftKind.EXTRA,
                            "archgen wrote it, but the catalog no longer generates it"))
    return drifts


def _file_drift(file: OutputFile, target: Path, entry: Entry | None) -> Drift | None:
    current = file_hash(target)
    if current is None:
        return Drift(file.path, DriftKind.MISSING, "not generated yet")
    if file.ownership is Ownership.SCAFFOLD:
        return None
    edited = entry is not None and entry.sha256 != current
    if file.reproducible and current != sha256(file.data):
        if edited:
            return Drift(file.path, DriftKind.EDITED, "edited by hand since archgen wrote it")
        return Drift(file.path, DriftKind.CHANGED, "differs from what the catalog generates")
    if not file.reproducible and (entry is None or edited):
        return Drift(file.path, DriftKind.EDITED,
                     "differs from what archgen wrote (the manifest's hash)")
    if is_executable(target) != file.executable:
        want = "executable" if file.executable else "not executable"
        return Drift(file.path, DriftKind.MODE, f"should be {want}")
    return None


def describe(changes: Iterable[Change]) -> list[str]:
    """One line per change that does something (unchanged files are not news)."""
    return [c.line() for c in changes if c.action is not Action.UNCHANGED]
