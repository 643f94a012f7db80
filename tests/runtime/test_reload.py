"""Hot reload at the supervisor: which files count, the warm standby, the fallback."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import httpx
import psutil
import pytest

from archgen.runtime.reload import SourceWatch
from archgen.runtime.supervisor import Running, Supervisor


def test_a_source_watch_sees_edits_additions_and_removals_but_not_caches(tmp_path: Path
                                                                         ) -> None:
    package = tmp_path / "svc" / "src" / "svc_app"
    package.mkdir(parents=True)
    (package / "handlers.py").write_text("A = 1\n")
    (package / "models.py").write_text("B = 1\n")
    watch = SourceWatch({"svc": tmp_path / "svc" / "src"})
    assert watch.changed() == {}
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "handlers.cpython-311.pyc").write_bytes(b"x")
    (tmp_path / "svc" / "crash-log.txt").write_text("outside src/")
    assert watch.changed() == {}
    (package / "handlers.py").write_text("A = 22\n")
    (package / "extra.py").write_text("")
    (package / "models.py").unlink()
    assert watch.changed() == {"svc": ["svc_app/extra.py", "svc_app/handlers.py",
                                       "svc_app/models.py"]}
    watch.accept("svc")
    assert watch.changed() == {}


VERSION_APP = '''
from fastapi import FastAPI
from . import handlers

app = FastAPI()

@app.get("/health/ready")
def ready() -> dict[str, str]:
    return {"status": "up"}

@app.get("/version")
def version() -> dict[str, str]:
    return {"version": handlers.VERSION}
'''


@pytest.mark.slow
def test_a_reload_restarts_the_service_from_the_warm_standby_or_without_it(tmp_path: Path
                                                                          ) -> None:
    from archgen.runtime.parts import Service
    from archgen.runtime.ports import free_port
    from archgen.runtime.standby import READY

    package = tmp_path / "svc" / "src" / "svc_app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(VERSION_APP)
    handlers = package / "handlers.py"
    handlers.write_text('VERSION = "one"\n')
    service = Service("svc", free_port(), package="svc_app", folder=tmp_path / "svc")
    lines: list[str] = []

    async def version() -> str:
        async with httpx.AsyncClient(timeout=5) as client:
            return str((await client.get(f"{service.url}/version")).json()["version"])

    async def scenario() -> None:
        supervisor = Supervisor(tmp_path, lambda name, line: lines.append(f"{name} | {line}"))
        supervisor.sources = SourceWatch({"svc": tmp_path / "svc" / "src"})
        stop = asyncio.Event()
        try:
            await supervisor.start([[service]])
            await supervisor.start_standby()
            warm = supervisor.standby
            assert warm is not None
            for _ in range(300):  # its imports take a few seconds on a busy machine
                if READY in warm.tail:
                    break
                await asyncio.sleep(0.1)
            assert READY in warm.tail
            assert not any(READY in line for line in lines)  # a standby's lines stay quiet
            watching = asyncio.create_task(supervisor.watch(stop))

            handlers.write_text('VERSION = "two"\n')
            await _until(version, "two")
            assert supervisor.started[0].proc.pid == warm.proc.pid  # the standby became it
            assert not list(tmp_path.glob("standby-*.json"))  # its ticket (secrets) is gone
            await _until_state(service, "ready")
            assert service.reloads == 1

            # Straight after, the next standby is still importing: the reload waits for it.
            second = await _next_standby(supervisor)
            assert second is not None and second.proc.returncode is None
            handlers.write_text('VERSION = "three"\n')
            await _until(version, "three")
            assert supervisor.started[0].proc.pid == second.proc.pid
            await _until_state(service, "ready")

            # Without a standby (it died), a new process starts as before.
            third = await _next_standby(supervisor)
            assert third is not None
            third.proc.kill()
            await third.proc.wait()
            handlers.write_text('VERSION = "3b"\n')
            await _until(version, "3b")
            assert supervisor.started[0].proc.pid != third.proc.pid
            assert service.reloads == 3
            assert any("svc_app/handlers.py changed; restarting svc" in line for line in lines)

            handlers.write_text("VERSION = \n")  # a syntax error: down until the next save
            await _until_state(service, "failed")
            handlers.write_text('VERSION = "four"\n')
            await _until(version, "four")
            stop.set()
            assert await watching is None
        finally:
            standby_pid = supervisor.standby.proc.pid if supervisor.standby else None
            await supervisor.stop()
        if standby_pid is not None:
            assert not psutil.pid_exists(standby_pid) or \
                psutil.Process(standby_pid).status() == psutil.STATUS_ZOMBIE

    asyncio.run(scenario())
    assert service.state == "stopped"


async def _next_standby(supervisor: Supervisor) -> Running | None:
    """The standby the supervisor starts once a reloaded service is ready (bounded wait)."""
    for _ in range(100):
        if supervisor.standby is not None:
            break
        await asyncio.sleep(0.1)
    return supervisor.standby


async def _until(read: object, wanted: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if await read() == wanted:  # type: ignore[operator]
                return
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        await asyncio.sleep(0.05)
    pytest.fail(f"the service never answered {wanted!r}")


async def _until_state(service: object, wanted: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while getattr(service, "state") != wanted and time.monotonic() < deadline:  # noqa: B009
        await asyncio.sleep(0.05)
    assert getattr(service, "state") == wanted  # noqa: B009


def test_the_standby_runs_python_dash_m_as_the_interpreter_would(tmp_path: Path) -> None:
    """`become` in a child: the folder first on sys.path, PYTHONPATH's entries, the env."""
    import subprocess
    import sys

    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "probe.py").write_text(
        "import os, sys, json\n"
        "print(json.dumps({'cwd': os.getcwd(), 'argv': sys.argv[1:],"
        " 'env': os.environ.get('ONLY'), 'home': 'HOME' in os.environ}))\n")
    code = ("import sys; from archgen.runtime.standby import become; "
            f"become(['-m', 'probe', 'a', 'b'], {{'ONLY': 'yes', 'PYTHONPATH': {str(lib)!r}}}, "
            f"{str(tmp_path)!r})")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ}, timeout=30, check=True)
    import json

    assert json.loads(done.stdout) == {"cwd": str(tmp_path), "argv": ["a", "b"],
                                       "env": "yes", "home": False}
