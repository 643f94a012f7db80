"""Hot reload: which service's own code changed since it started (polling: no dependency).

A service's code is its `src/` folder (handlers.py and the generated files). Polling
a few dozen files' size and modification time every quarter second costs nothing
and works on every file system and editor (atomic saves included).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

Snapshot = dict[str, tuple[int, int]]  # relative path -> (mtime_ns, size)
SETTLE_S = 0.1  # an editor's save can take several writes: let them land first
_SKIP_DIRS = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def snapshot(folder: Path) -> Snapshot:
    files: Snapshot = {}
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if _SKIP_DIRS.intersection(relative.parts) or path.suffix in (".pyc", ".swp"):
            continue
        try:
            info = path.stat()
        except OSError:  # removed while we looked
            continue
        if not path.is_dir():
            files[relative.as_posix()] = (info.st_mtime_ns, info.st_size)
    return files


class SourceWatch:
    """Each service's source folder, compared with what its running process started from."""

    def __init__(self, folders: Mapping[str, Path]) -> None:
        self.folders = dict(folders)
        self._seen = {name: snapshot(folder) for name, folder in self.folders.items()}

    def changed(self) -> dict[str, list[str]]:
        """The services whose files changed, with those files (added, edited or removed)."""
        found = {}
        for name, folder in self.folders.items():
            now, before = snapshot(folder), self._seen[name]
            files = sorted(p for p in now.keys() | before.keys() if now.get(p) != before.get(p))
            if files:
                found[name] = files
        return found

    def accept(self, name: str) -> None:
        """What the service's folder holds now is what its next process starts from."""
        self._seen[name] = snapshot(self.folders[name])
