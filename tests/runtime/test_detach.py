"""`archgen up --detach`, `ps`, `logs`, `down` and hot reload, on blueprints/minimal with
stand-in services (real broker, PostgreSQL, Valkey and Envoy)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from archgen.runtime.ports import LOCALHOST
from tests.runtime.conftest import ROOT

pytestmark = pytest.mark.slow
# The stand-in app.py serves what its handlers.py says: an edit of handlers.py shows.
VERSION_ROUTE = '''
from . import handlers as _handlers

@app.get("/version")
def version() -> dict[str, str]:
    return {"version": getattr(_handlers, "VERSION", "none")}
'''


def archgen(folder: Path, *args: str, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(ROOT / "src"), str(ROOT)))}
    return subprocess.run([sys.executable, "-m", "archgen", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=timeout_s, check=False)


def _state(folder: Path) -> dict[str, object]:
    path = folder / "out" / ".archgen" / "up.json"
    for _ in range(50):  # the supervisor may be rewriting it (health, PIDs) as we read
        try:
            return dict(json.loads(path.read_text()))
        except ValueError:
            time.sleep(0.02)
    return dict(json.loads(path.read_text()))


def _family(pid: int) -> list[psutil.Process]:
    """The supervisor and everything below it: the reaper, the parts, PostgreSQL's backends."""
    parent = psutil.Process(pid)
    return [parent, *parent.children(recursive=True)]


def _alive(procs: list[psutil.Process], timeout_s: float = 15) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while True:
        alive = []
        for proc in procs:
            try:
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    alive.append(proc.pid)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _listening(port: int) -> bool:
    """Something accepts connections on the port. (Binding it is the wrong test: the
    closed connections of a stopped server linger in TIME_WAIT and block a plain bind.)"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((LOCALHOST, port)) == 0


def _ports(state: dict[str, object]) -> list[int]:
    return [int(str(p["url"]).rsplit(":", 1)[1].split("/")[0])
            for p in state["parts"] if str(p["url"]).startswith(("http", "redis", "kafka"))]  # type: ignore[attr-defined]


@pytest.fixture
def system(minimal_system: Path) -> Iterator[Path]:
    from archgen.catalog import load_catalog
    from archgen.model.deployment import deployment
    from tests.runtime.standin import write_standins

    loaded = load_catalog(minimal_system / "catalog.yaml")
    assert loaded.catalog is not None
    write_standins(minimal_system / "out", deployment(loaded.catalog), extra=VERSION_ROUTE)
    for package in (minimal_system / "out" / "services").glob("*/src/*"):
        (package / "handlers.py").write_text('VERSION = "one"\n', encoding="utf-8")
    yield minimal_system
    archgen(minimal_system, "down", "catalog.yaml", "-o", "out")  # whatever the test left


def _wait_version(url: str, wanted: str, timeout_s: float = 30) -> float:
    """Seconds until GET /version answers `wanted`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            if httpx.get(url + "/version", timeout=2).json()["version"] == wanted:
                return time.monotonic() - started
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.02)
    pytest.fail(f"{url} did not answer version {wanted!r} within {timeout_s} s")


def test_detach_ps_logs_reload_refusal_and_down(system: Path) -> None:
    started = archgen(system, "up", "catalog.yaml", "-o", "out", "--detach")
    assert started.returncode == 0, started.stdout + started.stderr
    state = _state(system)
    assert f"gateway at {state['gateway']}" in started.stdout
    assert f"dashboard at {state['dashboard']}" in started.stdout  # served by the supervisor
    assert httpx.get(f"{state['dashboard']}/api/parts").status_code == 200
    names = ["broker", "postgres", "search-index", "notes-service", "search-service", "gateway"]
    assert [p["name"] for p in state["parts"]] == names  # type: ignore[attr-defined]
    family = _family(int(str(state["pid"])))

    ps = archgen(system, "ps", "catalog.yaml", "-o", "out")
    assert ps.returncode == 0, ps.stderr
    rows = {line.split()[1]: line.split() for line in ps.stdout.splitlines()
            if line.startswith("│")}
    assert sorted(rows) == sorted(names)
    pids = {p["name"]: p["pid"] for p in state["parts"]}  # type: ignore[attr-defined]
    for name, row in rows.items():
        assert row[7] == "ready" and row[9] == str(pids[name]), row  # health, pid

    logs = archgen(system, "logs", "notes-service", "-o", "out")
    assert logs.returncode == 0, logs.stderr
    lines = logs.stdout.splitlines()
    assert lines and all(line.startswith("notes-service  | ") for line in lines)
    assert any("Application startup complete" in line for line in lines)
    merged = archgen(system, "logs", "-o", "out").stdout
    assert "search-service | " in merged and "notes-service  | " in merged

    for flags in (["--detach"], []):  # one run per output folder, detached or not
        refused = archgen(system, "up", "catalog.yaml", "-o", "out", *flags)
        assert refused.returncode != 0
        assert f"already running for out (pid {state['pid']}): gateway at {state['gateway']}" \
            in refused.stderr

    # Hot reload: an edit of notes-service's handlers.py restarts it, and it alone.
    notes = str(state["services"]["notes-service"])  # type: ignore[index]
    assert _wait_version(notes, "one") < 1
    handlers = next((system / "out" / "services" / "notes-service" / "src").glob("*/handlers.py"))
    handlers.write_text('VERSION = "two"\n', encoding="utf-8")
    seconds = _wait_version(notes, "two")
    print(f"save to new code answering: {seconds:.2f} s")
    time.sleep(0.5)
    reloaded = _state(system)
    changed = {n for n, pid in reloaded["pids"].items() if pid != state["pids"][n]}  # type: ignore[attr-defined,index]
    assert changed == {"notes-service"}
    assert _wait_version(str(state["services"]["search-service"]), "one") < 1  # type: ignore[index]
    assert "handlers.py changed; restarting notes-service" in \
        archgen(system, "logs", "notes-service", "-o", "out").stdout

    stopped = archgen(system, "down", "catalog.yaml", "-o", "out")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert _alive(family) == []
    assert not [p for p in _ports(state) if _listening(p)]
    assert not Path(str(state["run_dir"])).exists()
    assert not (system / "out" / ".archgen" / "up.json").exists()
    assert archgen(system, "ps", "-o", "out").stdout.startswith("no archgen up is running")

    again = archgen(system, "up", "catalog.yaml", "-o", "out", "--detach")
    assert again.returncode == 0, again.stdout + again.stderr
    assert _wait_version(str(_state(system)["services"]["notes-service"]), "two") < 1  # type: ignore[index]
    assert archgen(system, "down", "-o", "out").returncode == 0


def test_down_after_a_kill_9_of_the_detached_supervisor_leaves_nothing(system: Path) -> None:
    with socket.socket() as server:  # stands in for a Redis of the user's (it is only dialled)
        server.bind(("127.0.0.1", 0))
        server.listen()
        store = f"redis://:store-secret@127.0.0.1:{server.getsockname()[1]}/0"
        started = archgen(system, "up", "catalog.yaml", "-o", "out", "--detach",
                          "--store", f"search-index={store}")
        assert started.returncode == 0, started.stdout + started.stderr
        state = _state(system)
        search = str(state["services"]["search-service"])  # type: ignore[index]
        assert httpx.get(search + "/env", timeout=5).json()["REDIS_URL"] == store
    family = _family(int(str(state["pid"])))
    # The store's URL reached the supervisor in its environment: no command line shows it.
    assert not any("store-secret" in " ".join(p.cmdline()) for p in family)
    assert len(family) > len(state["parts"])  # type: ignore[arg-type]  # reaper, backends
    os.kill(int(str(state["pid"])), signal.SIGKILL)

    ps = archgen(system, "ps", "-o", "out")
    assert ps.returncode != 0 and "is gone; `archgen down -o out` cleans up" in ps.stdout
    stopped = archgen(system, "down", "-o", "out")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert _alive(family) == []
    assert not [p for p in _ports(state) if _listening(p)]
    assert not Path(str(state["run_dir"])).exists()
    assert not (system / "out" / ".archgen" / "up.json").exists()
    again = archgen(system, "up", "catalog.yaml", "-o", "out", "--detach")
    assert again.returncode == 0, again.stdout + again.stderr
