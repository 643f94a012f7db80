"""What a run leaves behind: shared memory after a kill -9, dead PIDs in up.json."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.runtime.conftest import UpProcess

pytestmark = pytest.mark.slow


def _server(state: dict[str, object]) -> list[psutil.Process]:
    postmaster = psutil.Process(state["pids"]["postgres"])  # type: ignore[index]
    return [postmaster, *postmaster.children(recursive=True)]


def _shared_files(procs: list[psutil.Process]) -> set[str]:
    """The files in /dev/shm the server's processes map: POSIX segments (PostgreSQL.*)
    or whatever else holds its shared memory."""
    found = set()
    for proc in procs:
        for line in Path(f"/proc/{proc.pid}/maps").read_text().splitlines():
            path = line.split(maxsplit=5)[5] if len(line.split(maxsplit=5)) == 6 else ""
            if path.startswith("/dev/shm/"):
                found.add(path.removesuffix(" (deleted)"))
    return found


def _sysv_ids() -> set[int]:
    lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    return {int(line.split()[1]) for line in lines}


def _postmaster_shmid(run_dir: Path) -> int:
    """Line 7 of postmaster.pid: the System V segment's key and id."""
    lines = (run_dir / "postgres" / "data" / "postmaster.pid").read_text().splitlines()
    return int(lines[6].split()[1])


@pytest.mark.skipif(not Path("/proc/sysvipc/shm").exists(), reason="needs Linux's /proc")
def test_a_kill_9_of_up_leaves_no_shared_memory_of_its_postgres(up_process: UpProcess) -> None:
    state = up_process.state()
    run_dir = Path(str(state["run_dir"]))
    server = _server(state)
    files, shmid = _shared_files(server), _postmaster_shmid(run_dir)
    assert shmid in _sysv_ids()
    os.kill(up_process.proc.pid, signal.SIGKILL)
    up_process.proc.wait(10)
    deadline = time.monotonic() + 15  # the reaper's sweep: kill, release, remove
    while (run_dir.exists() or any(p.is_running() for p in server)) \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not run_dir.exists()
    assert sorted(f for f in files if Path(f).exists()) == []
    assert shmid not in _sysv_ids()


def test_up_json_follows_a_restarted_service(up_process: UpProcess) -> None:
    state = up_process.state()
    old = state["pids"]["search-service"]  # type: ignore[index]
    (up_process.folder / "out" / "services" / "search-service" / "crash").touch()
    url = f"{state['services']['search-service']}/health/ready"  # type: ignore[index]
    path = up_process.folder / "out" / ".archgen" / "up.json"
    deadline = time.monotonic() + 30
    pid = old
    while time.monotonic() < deadline:
        pid = json.loads(path.read_text())["pids"]["search-service"]
        if pid != old and psutil.pid_exists(pid):
            break
        time.sleep(0.1)
    assert "restart 1/3" in up_process.output(10**7)
    assert pid != old and psutil.pid_exists(pid), up_process.output()
    assert not psutil.pid_exists(old) or psutil.Process(old).status() == psutil.STATUS_ZOMBIE
    while time.monotonic() < deadline:  # the new process is the one that serves
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    assert psutil.Process(pid).is_running()
    assert json.loads(path.read_text())["pids"]["search-service"] == pid
    assert up_process.stop() == 0
