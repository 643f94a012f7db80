"""archgen's end of the zygote (runtime/zygote.py): start it, ask it for services, follow them.

A forked service is the zygote's child, not ours: its exit comes as a message
from the zygote, its output through a pipe we made and passed with the request.
`ForkedProcess` offers what the supervisor uses of an asyncio subprocess (pid,
returncode, stdout, wait), so a forked service is stopped, pumped and restarted
like any other part. When the zygote dies its children die with it (their
parent-death signal; we SIGKILL their groups too, to be sure): each is reported
exited with -SIGKILL, and the supervisor restarts them through a new zygote.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from archgen.runtime.procs import die_with_parent, kill_group, start_time

READY_TIMEOUT_S = 60.0  # the zygote's imports, on a loaded machine


def available() -> bool:
    """Whether services can start by fork here (Linux: fork, and prctl for the parent-death
    signal); elsewhere they start the old way."""
    return sys.platform == "linux" and hasattr(os, "fork")


class ZygoteUnavailable(Exception):
    """The zygote cannot fork this service now; the message is one line (why)."""


class ForkedProcess:
    """A service the zygote forked, as the supervisor sees a process."""

    def __init__(self, pid: int, stdout: asyncio.StreamReader) -> None:
        self.pid = pid
        self.start = start_time(pid)  # read while the zygote has not reaped it yet
        self.stdout: asyncio.StreamReader | None = stdout
        self.returncode: int | None = None
        self._exited = asyncio.Event()

    async def wait(self) -> int:
        await self._exited.wait()
        assert self.returncode is not None
        return self.returncode

    def exited(self, code: int) -> None:
        if self.returncode is None:
            self.returncode = code
            self._exited.set()


class ForkServer:
    """One zygote at a time; `start` again after it died.

    `launch` needs no event loop: `archgen up` launches the zygote as soon as it knows
    the output folder, so that its imports overlap the catalog's checks and the
    stores' start; `start` (in the loop) then follows it.
    """

    def __init__(self, sources: Sequence[Path]) -> None:
        self.sources = [s.resolve() for s in sources]
        self.proc: subprocess.Popen[bytes] | None = None
        self.zygote_start: int | None = None  # its start time (procs.kill_group)
        self.state = ""  # "", "importing", "ready", "refused", "exited"
        self.reason = ""  # why it is not ready (refused, exited)
        self._sock: socket.socket | None = None
        self._followed = False  # its socket is read by the event loop
        self._ready = asyncio.Event()
        self._asked: dict[int, tuple[asyncio.Future[int], asyncio.StreamReader]] = {}
        self._children: dict[int, ForkedProcess] = {}
        self._next_id = 0
        self._output: IO[bytes] | None = None  # what the zygote itself says (on failure)

    def launch(self) -> int:
        """Start a zygote process; its PID. Its own session, and it dies with archgen
        (parent-death signal), like every part; `-P`: no folder of ours on its path."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        if self._output is not None:  # the last zygote's
            self._output.close()
        self._output = tempfile.TemporaryFile()  # noqa: SIM115  # closed with the zygote
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-P", "-m", "archgen.runtime.zygote", str(theirs.fileno()),
                 *map(str, self.sources)],
                stdin=subprocess.DEVNULL, stdout=self._output, stderr=subprocess.STDOUT,
                # Only prctl between fork and exec, as spawn() does for every part.
                start_new_session=True, preexec_fn=die_with_parent,  # noqa: PLW1509
                pass_fds=(theirs.fileno(),))
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self._sock, self.state, self.reason, self._followed = ours, "importing", "", False
        self.zygote_start = start_time(self.proc.pid)
        return self.proc.pid

    async def start(self) -> int:
        """Launch a zygote unless one was launched and lives; follow its messages. Its PID.
        It imports in the background: `ready` waits for it."""
        if not self.alive:
            self.launch()
        assert self.proc is not None and self._sock is not None
        if not self._followed:
            self._ready = asyncio.Event()
            self._sock.setblocking(False)
            asyncio.get_running_loop().add_reader(self._sock.fileno(), self._readable)
            self._followed = True
        return self.proc.pid

    @property
    def followed(self) -> bool:
        """Its messages are read (by this event loop)."""
        return self._followed

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self._sock is not None

    async def ready(self, timeout_s: float = READY_TIMEOUT_S) -> bool:
        """Wait for the zygote's imports; False when it refused, died or took too long."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout_s)
        if self.state == "importing":
            self.reason = f"not ready after {timeout_s:.0f} s"
        return self.state == "ready"

    async def fork(self, argv: Sequence[str], env: Mapping[str, str], cwd: Path
                   ) -> ForkedProcess:
        """`python ARGV` (argv without the interpreter) forked from the zygote."""
        if self._sock is None or self.state != "ready":
            raise ZygoteUnavailable(self.reason or "the zygote is not ready")
        read_end, write_end = os.pipe()
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=2 ** 20)
        self._next_id += 1
        ask = self._next_id
        answer: asyncio.Future[int] = loop.create_future()
        self._asked[ask] = (answer, reader)
        try:
            message = json.dumps({"id": ask, "argv": list(argv), "env": dict(env),
                                  "cwd": str(cwd)}).encode("utf-8")
            socket.send_fds(self._sock, [message], [write_end])
        except OSError as exc:
            self._asked.pop(ask, None)
            os.close(read_end)
            raise ZygoteUnavailable(f"cannot reach the zygote: {exc.strerror}") from None
        finally:
            os.close(write_end)  # the zygote holds its own copy now
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                     os.fdopen(read_end, "rb", 0))
        pid = await answer
        return self._children[pid]

    def _readable(self) -> None:
        assert self._sock is not None
        while True:
            try:
                data = self._sock.recv(65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._gone()
                return
            self._message(json.loads(data))

    def _message(self, message: dict[str, Any]) -> None:
        if "ready" in message:
            self.state = "ready"
            self._ready.set()
        elif "refused" in message:
            self.state, self.reason = "refused", str(message["refused"])
            self._ready.set()
        elif "exited" in message:
            child = self._children.pop(int(message["exited"]), None)
            if child is not None:
                child.exited(int(message["code"]))
        elif "id" in message:
            answer, reader = self._asked.pop(int(message["id"]))
            if "pid" in message:
                pid = int(message["pid"])
                self._children[pid] = ForkedProcess(pid, reader)
                answer.set_result(pid)
            else:
                reader.feed_eof()
                answer.set_exception(ZygoteUnavailable(f"the zygote refused: "
                                                       f"{message.get('error')}"))

    def _gone(self) -> None:
        """The zygote closed its end: it exited. Its children die with it (parent-death
        signal); their groups get SIGKILL here too, and each is reported killed."""
        self._unfollow()
        if self.state in ("importing", "ready"):
            last = self._last_line()
            self.state = "exited"
            self.reason = "the zygote exited" + (f": {last}" if last else "")
        self._ready.set()
        for answer, reader in self._asked.values():
            reader.feed_eof()
            answer.set_exception(ZygoteUnavailable(self.reason))
        self._asked.clear()
        self._end_children()

    def _unfollow(self) -> None:
        if self._sock is not None:
            if self._followed:
                asyncio.get_running_loop().remove_reader(self._sock.fileno())
            self._sock.close()  # the zygote's loop ends, and so does the zygote
            self._sock = None

    def _last_line(self) -> str:
        """The zygote's last line of output (it prints only when something fails)."""
        if self._output is None:
            return ""
        self._output.seek(0)
        lines = self._output.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1][:200] if lines else ""

    async def stop(self) -> None:
        """Stop the zygote (the supervisor stops its children first; any left die with
        it, and are killed here too)."""
        self._unfollow()
        await asyncio.to_thread(self._end_process)
        self._end_children()

    def close(self) -> None:
        """Stop the zygote now, without an event loop (`up` ended before its services)."""
        if self._sock is not None and not self._followed:
            self._sock.close()
            self._sock = None
        self._end_process()
        self._end_children()

    def _end_process(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(2)  # its socket closed: it exits
            kill_group(self.proc.pid, signal.SIGKILL, self.zygote_start)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(2)
        if self._output is not None:
            self._output.close()
            self._output = None
        self.state = "exited"

    def _end_children(self) -> None:
        for pid, child in self._children.items():
            kill_group(pid, signal.SIGKILL, child.start)
            child.exited(-signal.SIGKILL)
        self._children.clear()


def sources_of(output: Path) -> list[Path]:
    """The source folders of the services generated in `output` (services/*/src, the
    aggregation service's) and of their kit: what the zygote reads for the libraries
    they import."""
    found = [p / "src" for p in sorted((output / "services").glob("*"))]
    found.append(output / "aggregator" / "src")
    return [p for p in found if p.is_dir()]


def early(output: Path) -> ForkServer | None:
    """A zygote launched now for the system generated in `output`, so that its imports run
    while `up` checks the catalog and starts the stores; None where fork is unavailable or
    nothing is generated yet (`up` starts one later)."""
    sources = sources_of(output)
    if not available() or not sources:
        return None
    server = ForkServer(sources)
    try:
        server.launch()
    except OSError:
        return None
    return server
