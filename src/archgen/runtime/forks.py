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
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from archgen.runtime.procs import kill_group, spawn

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
    """One zygote at a time; `start` again after it died."""

    def __init__(self, run_dir: Path, sources: Sequence[Path]) -> None:
        self.run_dir = run_dir
        self.sources = list(sources)
        self.proc: asyncio.subprocess.Process | None = None
        self.state = ""  # "", "importing", "ready", "refused", "exited"
        self.reason = ""  # why it is not ready (refused, exited)
        self._sock: socket.socket | None = None
        self._ready = asyncio.Event()
        self._asked: dict[int, tuple[asyncio.Future[int], asyncio.StreamReader]] = {}
        self._children: dict[int, ForkedProcess] = {}
        self._next_id = 0
        self._tail: list[str] = []
        self._pumping: asyncio.Task[None] | None = None

    async def start(self) -> asyncio.subprocess.Process:
        """Start a zygote (it imports in the background: `ready` waits for it)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.proc = await spawn(
                (sys.executable, "-m", "archgen.runtime.zygote", str(theirs.fileno()),
                 *map(str, self.sources)),
                dict(os.environ), cwd=self.run_dir, pass_fds=(theirs.fileno(),))
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self._sock, self.state, self.reason = ours, "importing", ""
        self._ready = asyncio.Event()
        ours.setblocking(False)
        asyncio.get_running_loop().add_reader(ours.fileno(), self._readable)
        self._pumping = asyncio.create_task(self._pump(self.proc))
        return self.proc

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None and self._sock is not None

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
        if self._sock is not None:
            asyncio.get_running_loop().remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None
        if self.state in ("importing", "ready"):
            self.state = "exited"
            self.reason = "the zygote exited" + (f": {self._tail[-1]}" if self._tail else "")
        self._ready.set()
        for answer, reader in self._asked.values():
            reader.feed_eof()
            answer.set_exception(ZygoteUnavailable(self.reason))
        self._asked.clear()
        for pid, child in self._children.items():
            kill_group(pid, signal.SIGKILL)
            child.exited(-signal.SIGKILL)
        self._children.clear()

    async def _pump(self, proc: asyncio.subprocess.Process) -> None:
        """The zygote says nothing unless something goes wrong: keep its last lines."""
        assert proc.stdout is not None
        async for line in proc.stdout:
            self._tail = [*self._tail[-4:], line.decode("utf-8", "replace").rstrip()]

    async def stop(self) -> None:
        """Stop the zygote (its children first, by the supervisor: any left die with it)."""
        if self._sock is not None:
            asyncio.get_running_loop().remove_reader(self._sock.fileno())
            self._sock.close()  # the zygote's loop ends
            self._sock = None
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), 2)
            kill_group(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), 2)
        for pid, child in self._children.items():
            kill_group(pid, signal.SIGKILL)
            child.exited(-signal.SIGKILL)
        self._children.clear()
        self.state = "exited"
