"""The fork server ("zygote") of `archgen up`: the services' libraries imported once, then
one forked child per service start.

Most of a generated service's start is importing the same third-party libraries
(FastAPI, pydantic, SQLAlchemy, aiokafka, uvicorn...: about 0.5 CPU-s each, the same
in every service). This process imports them once, then waits on a socket
(SOCK_SEQPACKET, one JSON message each) for `archgen up` to ask for a service; it
forks, and the child becomes `python -m uvicorn ...` for that service as the
interpreter would (standby.become): its own session and process group, its
environment, folder and sys.path (its src, then the kit's), stdin /dev/null, stdout
and stderr the pipe archgen passed with the request, a parent-death signal.

What it imports: every module the services' and the kit's source import that is
none of their own packages (standby.third_party_imports), uvicorn's, and the few that
libraries import only when a service starts (AT_START). Never a
service's package nor the kit (`archgen_service_kit`): they are not even on its
sys.path, so each child imports them as they are on disk when it starts; an edit or
a regenerated kit takes effect at the next restart, as before.

Fork safety: the zygote runs no event loop and no thread (it checks /proc/self/task
before every fork and refuses when a library started one); a child closes every
file descriptor but 0-2 before it runs the service, so it holds no socket of the
zygote's. Messages out: {"ready": N}, {"refused": why}, {"id": K, "pid": P} or
{"id": K, "error": why}, {"exited": P, "code": C} (C as asyncio's returncode).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import selectors
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from archgen.runtime.procs import die_with_parent
from archgen.runtime.standby import become, third_party_imports

MAX_MESSAGE = 1 << 20  # a request: argv, environment (the services' secrets too) and folder
# uvicorn's own modules a service loads when it runs (the automatic choices resolve here),
# and what libraries import only when a service starts, which no source names: the
# database drivers SQLAlchemy picks from a URL, httpx's transport, the OTLP exporter
# (about 0.1 CPU-s a service). One that is not installed is skipped. Never a module that
# reads the environment when imported: it would keep archgen's, not the service's
# (OpenTelemetry's FastAPI instrumentation reads the URLs it must not trace then).
AT_START = ("uvicorn.main", "uvicorn.config", "uvicorn.server", "uvicorn.loops.auto",
            "uvicorn.protocols.http.auto", "uvicorn.protocols.websockets.auto",
            "uvicorn.lifespan.on", "httpcore", "anyio._backends._asyncio", "asyncpg",
            "sqlalchemy.dialects.postgresql.asyncpg", "aiosqlite",
            "sqlalchemy.dialects.sqlite.aiosqlite", "opentelemetry.sdk.trace",
            "opentelemetry.exporter.otlp.proto.http.trace_exporter")


def preload(sources: list[Path]) -> int:
    """Import what the services share; a module that fails fails again, in the service."""
    modules = [*third_party_imports(sources), *AT_START]
    for module in modules:
        with contextlib.suppress(Exception):
            importlib.import_module(module)
    return len(modules)


def fork_unsafe() -> str | None:
    """Why forking now would be unsafe, None when it is safe: a thread (a child would
    inherit its locks, never the thread) or an event loop (its selector and callbacks)."""
    with contextlib.suppress(OSError):
        threads = len(os.listdir("/proc/self/task"))
        if threads > 1:
            return f"the zygote runs {threads} threads (a library started one on import)"
    policy: Any = getattr(asyncio.events, "_event_loop_policy", None)
    local = getattr(policy, "_local", None)
    if getattr(local, "_loop", None) is not None:
        return "a library made an event loop on import"
    return None


def main(argv: list[str]) -> int:
    control = socket.socket(fileno=int(argv[0]))
    control.setblocking(True)
    count = preload([Path(a) for a in argv[1:]])
    refused = fork_unsafe()
    if refused:
        _send(control, {"refused": refused})
        return 1
    _send(control, {"ready": count})
    return serve(control)


def serve(control: socket.socket) -> int:
    """Fork a child per request until archgen closes the socket (then exit: the children
    die with us by their parent-death signal, and archgen's reaper kills their groups)."""
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # the wakeup pipe is the notice
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    zygote = os.getpid()
    while True:
        for key, _ in selector.select():
            if key.fileobj is control:
                try:
                    data, fds, _, _ = socket.recv_fds(control, MAX_MESSAGE, 1)
                except OSError:
                    return 0
                if not data:
                    return 0  # archgen is gone or done
                request = json.loads(data)
                refused = fork_unsafe() if len(fds) == 1 else "no output pipe came with it"
                pid = -1
                if refused is None:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    try:
                        pid = os.fork()
                    except OSError as exc:
                        refused = f"fork: {exc.strerror}"
                if pid == 0:  # the child: never returns here (SystemExit ends it)
                    closing = [wake_r, wake_w]
                    selector.close()
                    control.close()
                    child(request, fds[0], zygote, closing)
                for fd in fds:
                    os.close(fd)
                reply = {"id": request.get("id"), **({"pid": pid} if refused is None
                                                      else {"error": refused})}
                if not _send(control, reply):
                    return 0
            else:
                with contextlib.suppress(BlockingIOError):
                    while os.read(wake_r, 512):
                        pass
                if not _reap(control):
                    return 0


def _reap(control: socket.socket) -> bool:
    """Collect every child that exited and say so; False when archgen is gone."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            return True
        if not _send(control, {"exited": pid, "code": os.waitstatus_to_exitcode(status)}):
            return False


def child(request: dict[str, Any], out: int, zygote: int, closing: list[int]) -> None:
    """Become the service of `request` in this forked child; ends in SystemExit, which
    unwinds to the interpreter's normal exit (atexit handlers, flushed streams)."""
    os.setsid()  # its own session and process group, as every part has
    die_with_parent(zygote)
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a fresh interpreter
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for fd in closing:
        os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # nothing of the zygote's stays open
    env = {str(k): str(v) for k, v in request["env"].items()}
    if env.get("PYTHONUNBUFFERED"):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(write_through=True)  # type: ignore[union-attr]
    # become() replaces the first entry of sys.path, the folder `python -m` puts there;
    # the zygote runs with -P, which puts none.
    sys.path.insert(0, str(request["cwd"]))
    raise SystemExit(become(list(request["argv"]), env, str(request["cwd"])))


def _send(control: socket.socket, message: dict[str, Any]) -> bool:
    try:
        control.send(json.dumps(message).encode("utf-8"))
    except OSError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
