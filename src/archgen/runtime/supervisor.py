"""The supervisor: starts parts stage by stage, watches them, stops them in reverse order.

It owns every process group it starts: each child runs in its own session with
a parent-death signal, and the reaper (a watchdog on a pipe) kills what is left
and removes the run's folder however archgen ends, a SIGKILL included.

With `sources` set it also restarts a service whose own code changed (hot
reload), that service only: the broker, the stores and the others keep running.
A restart asked for by hand (the dashboard's button) runs the same way, from the
watch loop, so that it never meets a crash restart of the same part.

With `forks` set, services start as children of the zygote (runtime/zygote.py,
their libraries imported once) instead of fresh interpreters; a service it cannot
fork (it refused, died or is not ready in time) starts the old way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from archgen.runtime import standby
from archgen.runtime.forks import ForkServer, ZygoteUnavailable
from archgen.runtime.parts import Launch, Part, PartError
from archgen.runtime.ports import port_free
from archgen.runtime.procs import (
    ChildProcess,
    kill_group,
    pump_lines,
    spawn,
    start_time,
    stop_process,
)
from archgen.runtime.reaper import Reaper
from archgen.runtime.reload import SETTLE_S, SourceWatch

LogSink = Callable[[str, str], None]  # (part name, line)
MAX_RESTARTS = 3
POLL_S = 0.1
HEALTH_EVERY_S = 2.0  # how often a running part's readiness is probed again for the table
RELOAD_GRACE_S = 2.0  # a reloaded service's time to stop politely before SIGKILL
STANDBY = "standby"
STANDBY_WAIT_S = 10.0
ZYGOTE = "zygote"  # the name its notes are logged under
ZYGOTE_RESTARTS = 3  # then services start the old way for the rest of the run


class StartError(Exception):
    """Starting failed; the message is one line (which part, and why)."""


class RestartRefused(Exception):
    """The part cannot be restarted now; the message is one line (why)."""


@dataclass
class Running:
    part: Part
    proc: ChildProcess
    pump: asyncio.Task[None]
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=5))
    start: int | None = None  # when its process started: its PID names it alone (procs)


class Supervisor:
    def __init__(self, run_dir: Path, log: LogSink, reaper: Reaper | None = None) -> None:
        self.run_dir = run_dir
        self.log = log
        self.reaper = reaper
        self.started: list[Running] = []  # in start order; stopped in reverse
        self.parts: list[Part] = []
        # Called when a part's process, health or counts change: e.g. up.json anew.
        self.on_change: Callable[[], None] | None = None
        self.sources: SourceWatch | None = None  # services to reload when their code changes
        self.standby: Running | None = None  # a warm Python a reloaded service becomes
        # Parts to restart, each with why, for the watch loop.
        self.restarts_asked: deque[tuple[str, str]] = deque()
        self.forks: ForkServer | None = None  # the zygote services fork from; None: exec
        self.zygote_starts = 0
        self._fork_note = ""  # why services start the old way (said once)

    async def start(self, stages: Sequence[Sequence[Part]]) -> None:
        """Start each stage's parts together, and the next stage once all of them are ready."""
        self.parts = [p for stage in stages for p in stage]
        await self.start_zygote()  # it imports while the stores and the broker start
        for stage in stages:
            tasks = [asyncio.create_task(self._start_one(p)) for p in stage]
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            errors = [e for e in (t.exception() for t in done) if e is not None]
            if errors:  # the stage's other parts stop starting: nothing spawns after stop()
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                raise errors[0]

    async def _start_one(self, part: Part) -> None:
        part.state = "starting"
        if part.port and not port_free(part.port):
            part.state = "failed"
            raise StartError(f"{part.name}: port {part.port} on 127.0.0.1 is in use")
        try:
            launch = await asyncio.to_thread(part.prepare, self.run_dir)
        except PartError as exc:
            part.state = "failed"
            raise StartError(str(exc)) from None
        run = await self._spawn(part, launch)
        await self._await_ready(run)
        try:
            await part.after_ready()
        except PartError as exc:
            part.state = "failed"
            raise StartError(str(exc)) from None
        part.state = "ready"

    async def _spawn(self, part: Part, launch: Launch) -> Running:
        proc = await self._fork(launch)
        try:
            proc = proc or await spawn(launch.argv, launch.env, launch.cwd, launch.user)
        except OSError as exc:
            part.state = "failed"
            raise StartError(f"{part.name}: cannot start {launch.argv[0]}: {exc.strerror}"
                             ) from None
        run = Running(part, proc, asyncio.ensure_future(asyncio.sleep(0)),
                      start=start_time(proc.pid))
        if self.reaper is not None:
            self.reaper.watch(proc.pid, run.start)

        def sink(line: str) -> None:
            run.tail.append(line)
            if run.part.kind != STANDBY:  # a standby says nothing until it is a service
                self.log(run.part.name, line)
            elif line == standby.READY:
                self._changed()

        run.pump = asyncio.create_task(pump_lines(proc, sink))
        self.started.append(run)
        return run

    async def start_zygote(self) -> None:
        """Start the zygote (when forking is on and none runs), or follow the one `up`
        launched early: the services fork from it once its imports are done."""
        forks = self.forks
        if forks is None or forks.state == "refused" or (forks.alive and forks.followed):
            return
        if self.zygote_starts and not forks.alive:  # it died (its services with it)
            if self.reaper is not None and forks.proc is not None:
                self.reaper.forget(forks.proc.pid)
            if self.zygote_starts > ZYGOTE_RESTARTS:
                return
            self.log(ZYGOTE, f"{forks.reason or 'the zygote exited'}; starting a new one")
        self.zygote_starts += 1
        try:
            pid = await forks.start()
        except OSError as exc:
            self._fall_back(f"cannot start the zygote: {exc.strerror}")
            return
        if self.reaper is not None:
            self.reaper.watch(pid, forks.zygote_start)

    async def _fork(self, launch: Launch) -> ChildProcess | None:
        """The service of `launch` forked from the zygote; None when it is not ours to fork
        (not `python -m`, another user) or the zygote cannot: then it starts the old way."""
        forks = self.forks
        if (forks is None or launch.user is not None or launch.cwd is None
                or launch.argv[:2] != (sys.executable, "-m")):
            return None
        if not forks.alive:
            await self.start_zygote()
        if not await forks.ready():
            self._fall_back(forks.reason)
            return None
        try:
            return await forks.fork(launch.argv[1:], launch.env, launch.cwd)
        except ZygoteUnavailable as exc:
            self._fall_back(str(exc))
            return None

    def _fall_back(self, why: str) -> None:
        if why != self._fork_note:
            self._fork_note = why
            self.log(ZYGOTE, f"{why}; starting services as their own interpreters")

    @property
    def forking(self) -> bool:
        """Services start (and reload) from the zygote: no warm standby is needed."""
        return self.forks is not None and self.forks.state in ("importing", "ready")

    async def _await_ready(self, run: Running) -> None:
        part = run.part
        deadline = time.monotonic() + part.ready_timeout_s
        while not await part.ready():
            if run.proc.returncode is not None:
                part.state = "failed"
                await asyncio.wait_for(run.pump, 2)
                raise StartError(f"{part.name} exited with code {run.proc.returncode} before "
                                 f"it was ready{_last(run)}")
            if time.monotonic() > deadline:
                part.state = "failed"
                raise StartError(f"{part.name} was not ready after {part.ready_timeout_s:.0f} s"
                                 f"{_last(run)}")
            await asyncio.sleep(POLL_S)

    async def watch(self, stop: asyncio.Event) -> str | None:
        """Until `stop` is set or a part fails for good: None, or the one-line reason."""
        next_probe = time.monotonic() + HEALTH_EVERY_S
        while not stop.is_set():
            for run in list(self.started):
                if run.proc.returncode is None or run.part.state == "stopped":
                    continue
                reason = await self._crashed(run)
                if reason:
                    return reason
            if self.forks is not None and not self.forks.alive:
                await self.start_zygote()  # its children died with it: restarted above
            while self.restarts_asked:
                await self.restart(*self.restarts_asked.popleft())
            if self.sources is not None:
                await self._reload_changed(self.sources)
            if time.monotonic() >= next_probe:
                await self._probe()
                next_probe = time.monotonic() + HEALTH_EVERY_S
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.25)
        return None

    async def _probe(self) -> None:
        """Probe every running part again: `ready` or `unhealthy` in the table."""
        runs = [r for r in self.started if r.part.state in ("ready", "unhealthy")
                and r.proc.returncode is None]
        results = await asyncio.gather(*(r.part.ready() for r in runs), return_exceptions=True)
        before = [r.part.state for r in runs]
        for run, ok in zip(runs, results, strict=True):
            run.part.state = "ready" if ok is True else "unhealthy"
        if before != [r.part.state for r in runs]:
            self._changed()

    async def _reload_changed(self, sources: SourceWatch) -> None:
        changed = sources.changed()
        if changed:
            await asyncio.sleep(SETTLE_S)
        for name, files in changed.items():
            sources.accept(name)
            shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3
                                             else "")
            await self.reload(name, f"{shown} changed")

    def ask_restart(self, name: str, why: str) -> None:
        """Restart the part `name` soon (the watch loop does it, saying `why` in its log);
        it shows `restarting` from now. RestartRefused when it is no part, one whose restart
        would lose the system's data (the broker, the stores), or one on its way up or down."""
        part = next((p for p in self.parts if p.name == name), None)
        if part is None:
            raise RestartRefused(f"no part named {name!r}")
        if not part.restartable:
            raise RestartRefused(f"{name} is the {part.kind}: only services restart one at a "
                                 "time (the others hold the system's data); stop `up` instead")
        if part.state not in ("ready", "unhealthy", "failed"):
            raise RestartRefused(f"{name} is {part.state} now; ask again once it is ready")
        part.state = "restarting"
        self.restarts_asked.append((name, why))
        self._changed()

    async def restart(self, name: str, why: str) -> bool:
        """Restart one part on its current files; the others keep running. False when it does
        not come up again: it stays down (failed) until restarted or reloaded."""
        return await self._relaunch(name, f"{why}; restarting {name}", "restarting",
                                    "restart it again once it is fixed")

    async def reload(self, name: str, why: str) -> bool:
        """Restart one part on its current files; the others keep running. False when the new
        code does not come up: the part stays down until its next change."""
        return await self._relaunch(name, f"{why}; restarting {name} with the new code",
                                    "reloading", "it restarts when its code changes again")

    async def _relaunch(self, name: str, saying: str, state: str, if_down: str) -> bool:
        part = next(p for p in self.parts if p.name == name)
        self.log(name, saying)
        part.state = state
        for run in [r for r in self.started if r.part is part]:
            await stop_process(run.proc, part.stop_signal, RELOAD_GRACE_S, run.start)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(run.pump, 2)
            self._forget(run)
        new = None
        try:
            launch = await asyncio.to_thread(part.prepare, self.run_dir)
            await self._standby_ready()
            new = self._from_standby(part, launch) or await self._spawn(part, launch)
            if state == "reloading":
                part.reloads += 1
            self._changed()
            await self._await_ready(new)
        except (PartError, StartError) as exc:
            if new is not None:  # not ready in time, or exited: down until the next edit
                await stop_process(new.proc, part.stop_signal, RELOAD_GRACE_S, new.start)
                self._forget(new)
            part.state = "failed"
            self.log(name, f"{exc}; {if_down}")
            self._changed()
            await self.start_standby()
            return False
        part.state = "ready"
        self._changed()
        await self.start_standby()
        return True

    async def start_standby(self) -> None:
        """Start a warm Python for the next reload (when there is none): it imports the
        services' libraries now, while nothing waits for it."""
        if self.sources is None or self.forking or (self.standby is not None
                                                    and self.standby.proc.returncode is None):
            return
        if self.standby is not None and self.reaper is not None:  # it died: not ours to kill
            self.reaper.forget(self.standby.proc.pid)
        folders = [str(f) for f in self.sources.folders.values()]
        launch = Launch((sys.executable, "-m", "archgen.runtime.standby", str(self.run_dir),
                         *folders), dict(os.environ))
        try:
            self.standby = await self._spawn(_Standby(STANDBY, 0), launch)
        except StartError:
            self.standby = None
            return
        self.started.remove(self.standby)  # not a part: not watched, stopped apart

    @property
    def standby_state(self) -> str:
        """The warm Python the next reload starts from (the zygote when forking, else the
        standby): "" (none), "importing" or "ready"."""
        if self.forking:
            assert self.forks is not None
            return self.forks.state
        run = self.standby
        if run is None or run.proc.returncode is not None:
            return ""
        return "ready" if standby.READY in run.tail else "importing"

    async def _standby_ready(self) -> None:
        """Wait for a standby still importing: it started first, so it is ready before a new
        process would be (bounded, in case it hangs)."""
        deadline = time.monotonic() + STANDBY_WAIT_S
        while (self.standby is not None and self.standby.proc.returncode is None
               and standby.READY not in self.standby.tail and time.monotonic() < deadline):
            await asyncio.sleep(POLL_S / 2)

    def _from_standby(self, part: Part, launch: Launch) -> Running | None:
        """The warm standby, become `part` (its libraries already imported); None when there
        is none ready or the part is not a `python -m` of ours."""
        run = self.standby
        if (run is None or run.proc.returncode is not None or standby.READY not in run.tail
                or launch.user is not None or launch.argv[:2] != (sys.executable, "-m")):
            return None
        self.standby = None
        standby.write_ticket(self.run_dir, run.proc.pid, list(launch.argv[1:]),
                             dict(launch.env), str(launch.cwd or os.getcwd()))
        os.kill(run.proc.pid, signal.SIGUSR1)
        run.part = part
        self.started.append(run)
        return run

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    async def _crashed(self, run: Running) -> str | None:
        part = run.part
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(run.pump, 2)
        code = run.proc.returncode
        if not part.restartable or part.restarts >= MAX_RESTARTS:
            part.state = "failed"
            return f"{part.name} exited with code {code}{_last(run)}"
        part.restarts += 1
        part.state = "restarting"
        self.log(part.name, f"exited with code {code}; restart {part.restarts}/{MAX_RESTARTS}")
        self._forget(run)
        try:
            launch = await asyncio.to_thread(part.prepare, self.run_dir)
            new = await self._spawn(part, launch)
            self._changed()
            await self._await_ready(new)
        except (PartError, StartError) as exc:
            part.state = "failed"
            return str(exc)
        part.state = "ready"
        self._changed()
        return None

    def _forget(self, run: Running) -> None:
        self.started.remove(run)
        if self.reaper is not None:
            self.reaper.forget(run.proc.pid)

    async def stop(self) -> None:
        """Stop every part, last started first; each gets its stop signal, then SIGKILL."""
        if self.standby is not None:
            await stop_process(self.standby.proc, signal.SIGKILL, start=self.standby.start)
            if self.reaper is not None:
                self.reaper.forget(self.standby.proc.pid)
            self.standby = None
        for run in reversed(list(self.started)):
            if run.part.state != "failed":
                run.part.state = "stopping"
            await stop_process(run.proc, run.part.stop_signal, start=run.start)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(run.pump, 2)
            if run.part.state != "failed":
                run.part.state = "stopped"
            self._forget(run)
        if self.forks is not None and self.forks.proc is not None:
            await self.forks.stop()
            if self.reaper is not None:
                self.reaper.forget(self.forks.proc.pid)

    def kill_all(self) -> None:
        """SIGKILL every part's group now (a second Ctrl-C): no waiting for a polite stop."""
        for run in [*self.started, *([self.standby] if self.standby else [])]:
            kill_group(run.proc.pid, signal.SIGKILL, run.start)
        if self.forks is not None and self.forks.proc is not None:
            kill_group(self.forks.proc.pid, signal.SIGKILL, self.forks.zygote_start)


@dataclass
class _Standby(Part):
    """The warm Python's place in the books until it becomes a service."""

    kind: ClassVar[str] = STANDBY


def _last(run: Running) -> str:
    lines = [line for line in run.tail if line.strip()]
    return f": {lines[-1].strip()[:200]}" if lines else ""
