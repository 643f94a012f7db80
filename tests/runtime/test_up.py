"""`archgen up` end to end on blueprints/minimal with stand-in services (real broker and stores)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import psutil
import pytest

from archgen.runtime.ports import port_free
from tests.runtime.conftest import UpProcess

pytestmark = pytest.mark.slow


def _family(pids: dict[str, int]) -> list[psutil.Process]:
    """Every process archgen started, and their children (PostgreSQL's backends)."""
    procs = []
    for pid in pids.values():
        try:
            parent = psutil.Process(pid)
        except psutil.NoSuchProcess:
            continue
        procs += [parent, *parent.children(recursive=True)]
    return procs


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_gone(procs: list[psutil.Process], timeout_s: float = 15) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        alive = [p for p in procs if _alive(p)]
        if not alive:
            return []
        time.sleep(0.1)
    return [p for p in procs if _alive(p)]


def _ports(state: dict[str, object]) -> list[int]:
    urls = list(state["services"].values())  # type: ignore[attr-defined]
    return [int(u.rsplit(":", 1)[1]) for u in urls]


def _ports_freed(ports: list[int], timeout_s: float = 10) -> list[int]:
    """The ports still held after `timeout_s`. A killed server's connections linger in
    FIN_WAIT or LAST_ACK for a moment after the process is gone (seen: 1 run in 5), and
    bind refuses the port until the kernel has closed them."""
    deadline = time.monotonic() + timeout_s
    while (held := [p for p in ports if not port_free(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return held


def test_up_runs_every_part_and_ctrl_c_leaves_nothing(up_process: UpProcess) -> None:
    state = up_process.state()
    services = state["services"]
    assert isinstance(services, dict) and set(services) == {"notes-service", "search-service"}
    env = httpx.get(services["notes-service"] + "/env", timeout=5).json()
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://postgres:@/notes_db?host=")
    assert env["KAFKA_BOOTSTRAP_SERVERS"].startswith("127.0.0.1:")
    search_env = httpx.get(services["search-service"] + "/env", timeout=5).json()
    assert search_env["REDIS_URL"].startswith("redis://:")  # with the run's password
    assert "@127.0.0.1:" in search_env["REDIS_URL"]
    assert search_env["KAFKA_SESSION_TIMEOUT_MS"] == "1000"
    for url in services.values():
        assert httpx.get(url + "/health/ready", timeout=5).status_code == 200
    family = _family(state["pids"])  # type: ignore[arg-type]
    assert len(family) > len(state["pids"])  # type: ignore[arg-type]  # postgres has backends

    assert up_process.stop(signal.SIGINT) == 0
    assert _wait_gone(family, 5) == []
    assert _ports_freed(_ports(state)) == []
    assert not Path(str(state["run_dir"])).exists()
    assert not (up_process.folder / "out" / ".archgen" / "up.json").exists()
    assert "parts ready in" in up_process.output(tail=10**7)


def test_sigkill_of_archgen_up_leaves_no_child(up_process: UpProcess) -> None:
    state = up_process.state()
    family = _family(state["pids"])  # type: ignore[arg-type]
    assert family
    os.kill(up_process.proc.pid, signal.SIGKILL)
    up_process.proc.wait(10)
    survivors = _wait_gone(family)
    assert survivors == [], [p.pid for p in survivors]
    assert _ports_freed(_ports(state)) == []
    deadline = time.monotonic() + 10  # the reaper removes the run's folder after its sweep
    while Path(str(state["run_dir"])).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(str(state["run_dir"])).exists()


def test_a_crashing_service_is_restarted_and_counted(up_process: UpProcess) -> None:
    state = up_process.state()
    (up_process.folder / "out" / "services" / "search-service" / "crash").touch()
    deadline = time.monotonic() + 30
    while "restart 1/3" not in up_process.output(10**7) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "restart 1/3" in up_process.output(10**7)
    url = state["services"]["search-service"]  # type: ignore[index]
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health/ready", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    assert httpx.get(url + "/health/ready", timeout=5).status_code == 200
    assert up_process.stop() == 0


def test_a_port_in_use_gives_one_line_and_a_clean_stop(tmp_path: Path) -> None:
    import asyncio
    import socket

    from archgen.runtime.parts import Valkey
    from archgen.runtime.ports import free_port
    from archgen.runtime.supervisor import StartError, Supervisor

    lines: list[str] = []

    sibling = Valkey("other-cache", free_port())

    async def start(port: int) -> str:
        supervisor = Supervisor(tmp_path, lambda name, line: lines.append(line))
        try:
            await supervisor.start([[Valkey("cache", port), sibling]])
        except StartError as exc:
            return str(exc)
        finally:
            await supervisor.stop()
            assert supervisor.started == []
        return "started"

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert asyncio.run(start(port)) == f"cache: port {port} on 127.0.0.1 is in use"
    assert port_free(sibling.port)


def test_a_missing_service_app_says_what_to_run(tmp_path: Path) -> None:
    import asyncio

    from archgen.runtime.parts import Service
    from archgen.runtime.supervisor import StartError, Supervisor

    async def start() -> str:
        supervisor = Supervisor(tmp_path, lambda name, line: None)
        try:
            await supervisor.start([[Service("a-service", 1, package="a_service",
                                             folder=tmp_path / "nowhere")]])
        except StartError as exc:
            return str(exc)
        return "started"

    message = asyncio.run(start())
    assert message.startswith("a-service: no ") and "run `archgen generate`" in message


def test_the_table_follows_health_after_start(tmp_path: Path) -> None:
    import asyncio

    from archgen.runtime.parts import Service
    from archgen.runtime.ports import free_port
    from archgen.runtime.supervisor import Supervisor
    from tests.runtime.standin import APP

    package = tmp_path / "svc" / "src" / "svc_app"
    package.mkdir(parents=True)
    (package / "app.py").write_text(APP, encoding="utf-8")
    service = Service("svc", free_port(), package="svc_app", folder=tmp_path / "svc")

    async def scenario() -> list[str]:
        supervisor = Supervisor(tmp_path, lambda name, line: None)
        seen = []
        try:
            await supervisor.start([[service]])
            seen.append(service.state)
            (tmp_path / "svc" / "sick").touch()
            stop = asyncio.Event()
            watching = asyncio.create_task(supervisor.watch(stop))
            for _ in range(100):  # up to 10 s for a probe to notice
                if service.state == "unhealthy":
                    break
                await asyncio.sleep(0.1)
            seen.append(service.state)
            stop.set()
            assert await watching is None
        finally:
            await supervisor.stop()
        seen.append(service.state)
        return seen

    assert asyncio.run(scenario()) == ["ready", "unhealthy", "stopped"]
