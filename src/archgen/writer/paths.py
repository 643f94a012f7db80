"""Where the writer may write, and what is there now."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path, PurePosixPath

from archgen.errors import OutputError

MANIFEST = ".archgen-manifest.json"
JOURNAL = ".archgen-journal.json"
CACHE = ".archgen-cache.json"  # writer/cache.py: what a later run may skip
RESERVED = (MANIFEST, JOURNAL, CACHE)
# One fixed staging name per target: the folder lock makes a single writer, so a
# crash leaves at most one such file per target and the next run knows its name.
TEMP_SUFFIX = ".archgen-tmp"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_target(root: Path, relative: str) -> Path:
    """`root / relative`, or OutputError if it would leave `root` (resolved) by any means."""
    target = checked_target(root, relative)
    if not target.resolve().is_relative_to(root):
        raise _outside(relative, root)
    return target


class SafeTargets:
    """safe_target for many paths of one run: each folder is resolved once, not each file.

    A folder's resolution is remembered; a file is resolved itself only when it is a
    symbolic link (one lstat), which is the only way it can lead out of a folder
    that does not. For planning and reading: the writer checks each path it writes
    again with safe_target, after creating its folders.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: dict[Path, bool] = {root: True}
        self._folders_text = Folders(str(root))

    def text(self, relative: str) -> str:
        """The same check for a path known to be a regular file or missing (the caller
        lstats it and treats anything else as a change): the target as a string, no
        Path made, so thousands of unchanged files cost little."""
        if not plain_path(relative):
            checked_target(self.root, relative)  # raises, saying why
        if not self._folders_text.inside(relative.rpartition("/")[0]):
            raise _outside(relative, self.root)
        return os.path.join(self._folders_text.base, relative)

    def __call__(self, relative: str) -> Path:
        target = checked_target(self.root, relative)
        folder = target.parent
        inside = self._folders.get(folder)
        if inside is None:
            inside = self._folders[folder] = folder.resolve().is_relative_to(self.root)
        if not inside or (os.path.islink(target)
                          and not target.resolve().is_relative_to(self.root)):
            raise _outside(relative, self.root)
        return target


class Folders:
    """Whether folders below a root (relative, '/'-separated) stay inside it.

    Each folder costs one lstat, once: a folder that is not a symbolic link, below
    one that stays inside, stays inside; only a link is resolved. A missing folder
    leads nowhere (the writer creates it, then checks the path again).
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self._known: dict[str, bool] = {"": True}

    def inside(self, folder: str) -> bool:
        known = self._known.get(folder)
        if known is not None:
            return known
        ok = self.inside(folder.rpartition("/")[0])
        if ok:
            full = os.path.join(self.base, folder)
            try:
                link = stat.S_ISLNK(os.lstat(full).st_mode)
            except OSError:
                link = False
            if link:
                where = os.path.realpath(full)
                ok = where == self.base or where.startswith(self.base + os.sep)
        self._known[folder] = ok
        return ok


def _outside(relative: str, root: Path) -> OutputError:
    return OutputError(f"refusing to write {relative!r}: it leads outside {root} "
                       "through a symbolic link", "remove the link or choose another folder")


# An absolute path, an empty, '.' or '..' part, a backslash or a NUL: never written.
_NOT_PLAIN = re.compile(r"(?:^|/)\.{0,2}(?:/|$)|\\|\x00")


def plain_path(relative: str) -> bool:
    """Whether `relative` is a path archgen may write, on its face (nothing resolved);
    what checked_target accepts, as one regular expression (it runs per file)."""
    return not (_NOT_PLAIN.search(relative) or relative.partition("/")[0] in RESERVED
                or relative.endswith(TEMP_SUFFIX))


def checked_target(root: Path, relative: str) -> Path:
    """`root / relative` if `relative` is a path archgen may write (not yet resolved)."""
    parts = relative.split("/")
    if (not relative or "\\" in relative or "\x00" in relative
            or PurePosixPath(relative).is_absolute()
            or any(p in ("", ".", "..") for p in parts)):
        raise OutputError(f"refusing to write {relative!r}: output paths must be relative, "
                          "without '..', '.', empty parts or backslashes",
                          "this is a bug in a generator; please report it")
    if parts[0] in RESERVED or parts[-1].endswith(TEMP_SUFFIX):
        raise OutputError(f"refusing to write {relative!r}: the name is archgen's own")
    return root.joinpath(*parts)


def temp_of(target: Path) -> Path:
    return target.with_name(f".{target.name}{TEMP_SUFFIX}")


def file_hash(path: Path) -> str | None:
    """The sha256 of a regular file, None if nothing is there; OutputError for a folder."""
    try:
        if not os.path.lexists(path):
            return None
        if path.is_dir():
            raise OutputError(f"{path} is a folder where archgen writes a file",
                              "move the folder away")
        if not path.exists():  # a dangling symlink inside the folder: replaced like a file
            return ""
        return sha256(path.read_bytes())
    except PermissionError as exc:
        raise OutputError(f"{path}: cannot read it ({exc.strerror})",
                          "give archgen read access, or move it away") from None


def is_executable(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & 0o100)
    except OSError:
        return False
