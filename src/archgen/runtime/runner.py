"""`archgen up` from a plan to a running system and back: start, watch, (smoke), stop."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archgen.runtime import devkeys, forks, instance, state
from archgen.runtime.gateway import GatewayConfig
from archgen.runtime.logfile import LogWriter
from archgen.runtime.parts import Broker
from archgen.runtime.plan import PlanError, UpOptions, build_plan
from archgen.runtime.ports import LOCALHOST, free_port
from archgen.runtime.procs import start_time
from archgen.runtime.reaper import Reaper
from archgen.runtime.reload import SourceWatch
from archgen.runtime.supervisor import StartError, Supervisor

if TYPE_CHECKING:
    from archgen.model.deployment import Deployment
    from archgen.model.resolved import ResolvedCatalog
    from archgen.runtime.console import UpConsole
    from archgen.runtime.dashboard.board import Bounds
    from archgen.runtime.dashboard.server import Dashboard
    from archgen.runtime.dashboard.views import ArchitectureViews
    from archgen.runtime.plan import Plan

EXIT_OK, EXIT_FAILED, EXIT_CANNOT = 0, 1, 2
Task = Callable[["Plan", devkeys.DevKey], Awaitable[int]]  # e.g. the smoke test
TRACES_PATH = "/v1/traces"  # where the dashboard receives OTLP/HTTP (the protocol's own path)


@dataclass(frozen=True)
class UpRequest:
    catalog: ResolvedCatalog
    deployment: Deployment
    output: Path
    options: UpOptions
    started_at: float  # time.monotonic() when the command began
    gateway: GatewayConfig  # the gateway's bootstrap, from the run's plan
    reload: bool = True  # restart a service when its own code changes
    detached: bool = False  # the background supervisor of `up --detach`
    dashboard_port: int | None = 0  # the dashboard's port (0: a free one); None: no dashboard
    views: ArchitectureViews | None = None  # what the dashboard draws; None: no dashboard
    fork: bool = True  # services fork from a zygote (when fork is available here)
    zygote: forks.ForkServer | None = None  # one launched early by the command, if any
    bounds: Bounds | None = None  # how much the dashboard keeps; None: its defaults


def up(request: UpRequest, console: UpConsole, task: Task | None = None) -> int:
    """Run the system until Ctrl-C (or until `task` finishes); the exit code."""
    return asyncio.run(_up(request, console, task))


async def _up(request: UpRequest, console: UpConsole, task: Task | None) -> int:
    try:
        lock = instance.acquire(request.output)  # one run per output folder
    except instance.AlreadyRunning as exc:
        if request.zygote is not None:
            request.zygote.close()
        console.say(f"archgen up: {exc}; `archgen down` stops it", "bold red")
        return EXIT_CANNOT
    try:
        return await _up_locked(request, console, task)
    finally:
        if request.zygote is not None:  # stopped with the parts, or never used
            request.zygote.close()
        lock.release()


async def _up_locked(request: UpRequest, console: UpConsole, task: Task | None) -> int:
    run_dir = Path(tempfile.mkdtemp(prefix="archgen-up-", dir=_memory_dir()))
    reaper = Reaper(run_dir)
    key = devkeys.load_or_create(request.output)
    if request.options.data_dir is not None:
        request.options.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The dashboard's port is known before the plan, so the gateway's bootstrap can send
    # Envoy's spans to its receiver (the services learn it when the dashboard opens).
    dashboard_port = (request.dashboard_port or free_port()
                      if request.dashboard_port is not None and request.views is not None
                      else None)
    traces = f"http://{LOCALHOST}:{dashboard_port}{TRACES_PATH}" if dashboard_port else None
    try:
        plan = build_plan(request.catalog, request.deployment, request.output, run_dir,
                          request.options, key.jwks(), gateway=request.gateway, traces=traces)
    except PlanError as exc:
        for line in exc.lines:
            console.say(f"archgen up: {line}", "bold red")
        reaper.close()
        return EXIT_CANNOT
    for note in plan.notes:
        console.say(note, "yellow")
    console.track([p for stage in plan.stages for p in stage])
    board = await _dashboard(request, plan, key, console, dashboard_port)
    if isinstance(board, int):
        reaper.close()
        return board
    logs = LogWriter(instance.log_path(request.output), console.width)

    def log(name: str, line: str) -> None:
        console.log(name, line)
        logs.write(name, line)
        if board is not None:
            board.log(name, line)

    supervisor = Supervisor(run_dir, log, reaper)
    if request.fork and forks.available():
        supervisor.forks = request.zygote or forks.ForkServer(forks.sources_of(request.output))
    if board is not None:
        board.attach(supervisor)
    if request.reload and task is None:  # the smoke test runs the code as it is
        own = [*plan.services.values(), *([plan.aggregator] if plan.aggregator else [])]
        supervisor.sources = SourceWatch({svc.name: svc.folder / "src" for svc in own})
    stop = _stop_on_signals(supervisor.kill_all)
    try:
        return await _run(request, plan, supervisor, console, stop, task, key, board)
    finally:
        if board is not None:
            await board.stop()
        await supervisor.stop()
        state.remove(request.output)
        console.close()
        console.show_table()
        logs.close()
        reaper.close()


async def _run(request: UpRequest, plan: Plan, supervisor: Supervisor, console: UpConsole,
               stop: asyncio.Event, task: Task | None, key: devkeys.DevKey,
               board: Dashboard | None = None) -> int:
    starting = asyncio.create_task(supervisor.start(plan.stages))
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({starting, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if not starting.done():
        starting.cancel()
        await asyncio.gather(starting, return_exceptions=True)
        console.say("archgen up: interrupted while starting; stopping", "yellow")
        return 130
    stopped.cancel()
    try:
        starting.result()
    except StartError as exc:
        console.say(f"archgen up: {exc}; stopping", "bold red")
        return EXIT_FAILED
    elapsed = time.monotonic() - request.started_at
    url = board.url if board is not None else None
    if board is not None:
        board.system_ready()
    _write_state(request, plan, supervisor, url)
    supervisor.on_change = lambda: _write_state(request, plan, supervisor, url)  # PIDs, health
    console.say(f"all {len(supervisor.parts)} parts ready in {elapsed:.1f} s"
                + (f"; gateway at {plan.gateway.url}" if plan.gateway else "")
                + (f"; dashboard at {url}" if url else ""), "bold green")
    if not console.console.is_terminal:
        console.show_table()
    if task is not None:
        return await _until_stopped(task(plan, key), stop, console)
    await supervisor.start_standby()  # for the first reload (when reloading is on)
    reason = await supervisor.watch(stop)
    if reason:
        console.say(f"archgen up: {reason}; stopping", "bold red")
        return EXIT_FAILED
    console.say("stopping", "yellow")
    return EXIT_OK


async def _dashboard(request: UpRequest, plan: Plan, key: devkeys.DevKey, console: UpConsole,
                     port: int | None) -> Dashboard | int | None:
    """The dashboard on `port`, serving before the parts start (they send it their traces);
    None when it is off, EXIT_CANNOT when it cannot serve."""
    if port is None or request.views is None:
        return None
    from archgen.runtime.dashboard.server import DashboardError, open_dashboard

    try:
        board = open_dashboard(request.catalog, request.deployment, plan, request.views, key,
                               port, request.bounds)
        await board.start()
    except DashboardError as exc:
        console.say(f"archgen up: {exc}", "bold red")
        return EXIT_CANNOT
    console.say(f"dashboard at {board.url}", "bold")
    return board


def _write_state(request: UpRequest, plan: Plan, supervisor: Supervisor,
                 dashboard: str | None = None) -> None:
    pids = {run.part.name: run.proc.pid for run in supervisor.started}
    starts = {run.part.name: run.start for run in supervisor.started}
    parts: list[dict[str, object]] = [
        {"name": p.name, "kind": p.kind, "url": p.url, "pid": pids.get(p.name),
         "start": starts.get(p.name),
         "health": p.state, "restarts": p.restarts, "reloads": p.reloads}
        for p in supervisor.parts]
    state.write(request.output, state.UpState(
        os.getpid(), plan.gateway.url if plan.gateway else None,
        {name: svc.url for name, svc in plan.services.items()},
        pids, str(supervisor.run_dir),
        next((f"{LOCALHOST}:{p.port}" for stage in plan.stages for p in stage
              if isinstance(p, Broker)), None),
        parts=parts, log_file=str(instance.log_path(request.output)),
        pid_start=start_time(os.getpid()), detached=request.detached,
        keep_data=request.options.data_dir is not None, standby=supervisor.standby_state,
        dashboard=dashboard))


async def _until_stopped(work: Awaitable[int], stop: asyncio.Event, console: UpConsole) -> int:
    job = asyncio.ensure_future(work)
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({job, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not job.done():
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)
        console.say("archgen up: interrupted; stopping", "yellow")
        return 130
    return job.result()


def _memory_dir() -> str | None:
    """/dev/shm when there is one: the stores' files in memory start (and copy) in a blink."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def _stop_on_signals(kill_all: Callable[[], None]) -> asyncio.Event:
    """Ctrl-C, SIGTERM and SIGHUP ask for an orderly stop (the children never see them);
    a second one kills every part at once."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def handle() -> None:
        if stop.is_set():
            kill_all()
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, handle)
    return stop
