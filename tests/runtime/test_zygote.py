"""Services forked from the zygote: each its own process, restarted, reloaded; the zygote too."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import httpx
import psutil
import pytest

from archgen.runtime.forks import ForkServer
from archgen.runtime.parts import KIT_FOLDER, Service
from archgen.runtime.ports import free_port
from archgen.runtime.reload import SourceWatch
from archgen.runtime.supervisor import Supervisor
from tests.runtime.conftest import UpProcess
from tests.runtime.standin import APP

pytestmark = pytest.mark.slow

# The stand-in app, plus the kit's import and a version to edit (handlers.py).
KIT_APP = "import archgen_service_kit\nfrom . import handlers\n" + APP + '''
@app.get("/version")
def version() -> dict[str, str]:
    return {"version": handlers.VERSION}
'''
# Each import of the kit leaves a mark: the zygote must never import it.
KIT = '''
import os, pathlib
marks = pathlib.Path(__file__).resolve().parents[4] / "kit-imports"
with marks.open("a") as handle:
    handle.write(f"{os.getpid()}\\n")
'''


def _system(root: Path, names: list[str]) -> tuple[list[Service], list[Path]]:
    """Stand-in services in root/services/<name>, beside a kit; their sources for the
    zygote (each service's src and the kit's)."""
    kit = root / "services" / KIT_FOLDER / "src" / "archgen_service_kit"
    kit.mkdir(parents=True)
    (kit / "__init__.py").write_text(KIT)
    services = []
    for name in names:
        package = root / "services" / name / "src" / f"{name}_app"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "app.py").write_text(KIT_APP)
        (package / "handlers.py").write_text('VERSION = "one"\n')
        services.append(Service(name, free_port(), package=f"{name}_app",
                                folder=root / "services" / name, env={"WHO": name}))
    return services, [*(s.folder / "src" for s in services), kit.parent]


def _get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=3)
    except httpx.HTTPError:
        return None


async def _until(check: object, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):  # type: ignore[arg-type]
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"not so after {timeout_s:.0f} s: {check}")


def _version(service: Service) -> str | None:
    answer = _get(f"{service.url}/version")
    return str(answer.json()["version"]) if answer and answer.status_code == 200 else None


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def test_forked_services_are_their_own_processes_and_survive_crashes_and_the_zygote(
        tmp_path: Path) -> None:
    services, sources = _system(tmp_path, ["alpha", "beta"])
    alpha, beta = services
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    lines: list[str] = []

    async def scenario() -> None:
        supervisor = Supervisor(run_dir, lambda name, line: lines.append(f"{name} | {line}"))
        supervisor.forks = ForkServer(sources)
        supervisor.sources = SourceWatch({s.name: s.folder / "src" for s in services})
        stop = asyncio.Event()
        zygote_pid = 0
        try:
            await supervisor.start([services])
            assert supervisor.forks.proc is not None
            zygote_pid = supervisor.forks.proc.pid
            pids = {run.part.name: run.proc.pid for run in supervisor.started}
            assert len(set(pids.values())) == 2
            for service in services:
                pid = pids[service.name]
                proc = psutil.Process(pid)
                assert proc.ppid() == zygote_pid  # forked, not a fresh interpreter
                assert os.getpgid(pid) == pid and os.getsid(pid) == pid  # own group, session
                assert proc.cwd() == str(service.folder)
                env = httpx.get(f"{service.url}/env", timeout=5).json()
                assert env["WHO"] == service.name  # its own environment
                assert env["PYTHONPATH"].split(os.pathsep)[:2] == [
                    str(service.folder / "src"), str(sources[-1])]
                assert os.readlink(f"/proc/{pid}/fd/0") == os.devnull
                # No socket of the zygote's (its control socket) in the service.
                assert not _socket_inodes(pid) & _socket_inodes(zygote_pid)
            # The kit: imported by each service, never by the zygote.
            marks = (tmp_path / "kit-imports").read_text().split()
            assert sorted(int(m) for m in marks) == sorted(pids.values())
            assert any(line.startswith("alpha | ") for line in lines)  # its log, as before
            watching = asyncio.create_task(supervisor.watch(stop))

            # A crash of one service: restarted through the zygote; the other and the
            # zygote keep running.
            (alpha.folder / "crash").touch()
            await _until(lambda: alpha.restarts == 1 and alpha.state == "ready")
            new_alpha = next(r.proc.pid for r in supervisor.started if r.part is alpha)
            assert new_alpha != pids["alpha"]
            assert psutil.Process(new_alpha).ppid() == zygote_pid
            assert next(r.proc.pid for r in supervisor.started if r.part is beta) == pids["beta"]
            assert supervisor.forks.proc.returncode is None

            # Hot reload: the edited service only, its new code (not the zygote's).
            handlers = beta.folder / "src" / "beta_app" / "handlers.py"
            handlers.write_text('VERSION = "two"\n')
            await _until(lambda: _version(beta) == "two")
            await _until(lambda: beta.state == "ready")
            assert beta.reloads == 1 and alpha.reloads == 0
            assert next(r.proc.pid for r in supervisor.started if r.part is alpha) == new_alpha
            assert supervisor.standby is None  # the zygote serves reloads: no standby

            # The zygote killed: its children die with it, a new zygote forks them again.
            os.kill(zygote_pid, signal.SIGKILL)
            await _until(lambda: supervisor.forks is not None and supervisor.forks.proc is not None
                         and supervisor.forks.proc.pid != zygote_pid
                         and alpha.state == beta.state == "ready"
                         and _version(beta) == "two" and _version(alpha) == "one")
            second = supervisor.forks.proc.pid
            for run in supervisor.started:
                assert psutil.Process(run.proc.pid).ppid() == second
            assert any("starting a new one" in line for line in lines)
            stop.set()
            assert await watching is None
        finally:
            family = psutil.Process().children(recursive=True)
            await supervisor.stop()
        _gone, alive = psutil.wait_procs(family, timeout=10)
        assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []

    asyncio.run(scenario())
    assert alpha.state == beta.state == "stopped"


def _zygote_of(state: dict[str, object]) -> psutil.Process:
    pids = state["pids"]
    assert isinstance(pids, dict)
    parents = {psutil.Process(pids[name]).ppid() for name in state["services"]}  # type: ignore[attr-defined]
    assert len(parents) == 1
    zygote = psutil.Process(parents.pop())
    assert "archgen.runtime.zygote" in zygote.cmdline()
    return zygote


def test_sigkill_of_archgen_up_leaves_neither_zygote_nor_service(up_process: UpProcess
                                                                  ) -> None:
    state = up_process.state()
    zygote = _zygote_of(state)
    family = [zygote, *zygote.children(recursive=True)]
    assert len(family) == 3  # the zygote and the two services
    os.kill(up_process.proc.pid, signal.SIGKILL)
    up_process.proc.wait(10)
    _gone, alive = psutil.wait_procs(family, timeout=15)
    assert [p.pid for p in alive] == []


def test_no_fork_starts_each_service_from_archgen_up(minimal_system: Path) -> None:
    up = UpProcess(minimal_system, "--no-fork")
    try:
        state = up.state()
        pids = state["pids"]
        assert isinstance(pids, dict)
        for name in state["services"]:  # type: ignore[attr-defined]
            assert psutil.Process(pids[name]).ppid() == up.proc.pid
        assert up.stop() == 0
    finally:
        if up.proc.poll() is None:
            up.proc.kill()
            up.proc.wait(10)


def test_a_library_that_starts_a_thread_on_import_makes_services_start_the_old_way(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forking a process with a thread would leave its locks held in the child: the
    zygote refuses, says why, and the services start as their own interpreters."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "threader.py").write_text(
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(lib), *filter(None, [os.environ.get("PYTHONPATH")])]))
    services, sources = _system(tmp_path, ["gamma"])
    app = services[0].folder / "src" / "gamma_app" / "app.py"
    app.write_text("import threader\n" + app.read_text())
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    lines: list[str] = []

    async def scenario() -> None:
        supervisor = Supervisor(run_dir, lambda name, line: lines.append(f"{name} | {line}"))
        supervisor.forks = ForkServer(sources)
        try:
            await supervisor.start([services])
            pid = supervisor.started[0].proc.pid
            assert psutil.Process(pid).ppid() == os.getpid()  # spawned, not forked
            assert _version(services[0]) == "one"
            assert supervisor.forks.state == "refused"
        finally:
            await supervisor.stop()

    asyncio.run(scenario())
    assert any(line.startswith("zygote | ") and "threads" in line
               and "starting services as their own interpreters" in line for line in lines)
