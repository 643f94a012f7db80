"""Child processes that cannot outlive archgen: own session, parent-death signal, group kill."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

_PR_SET_PDEATHSIG = 1


class ChildProcess(Protocol):
    """What the supervisor uses of a part's process: an asyncio subprocess, or a service
    the zygote forked (runtime/forks.py)."""

    @property
    def pid(self) -> int: ...

    @property
    def returncode(self) -> int | None: ...

    @property
    def stdout(self) -> asyncio.StreamReader | None: ...

    async def wait(self) -> int: ...


def die_with_parent(parent: int | None = None) -> None:
    """Runs in the child after fork: SIGKILL it when its parent dies, however it dies.

    CPython changes the user (for `user=`) before calling this, and a credential
    change clears the parent-death signal, so setting it here keeps it. `parent`: the
    pid the child must still have as its parent (a child of the zygote knows it);
    by default any but init.
    """
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        # The parent may have died between fork and prctl: then no signal will come.
        ppid = os.getppid()
        if (ppid == 1) if parent is None else (ppid != parent):
            os._exit(1)


async def spawn(argv: Sequence[str], env: Mapping[str, str], cwd: Path | None = None,
                user: str | None = None, pass_fds: Sequence[int] = ()
                ) -> asyncio.subprocess.Process:
    """Start `argv` in its own session and process group, stdout and stderr merged into a pipe.

    Its own session: a terminal's signals (Ctrl-C, SIGTTOU for a background job)
    never reach it; archgen stops it, in order. As another `user`, it gets that user's
    group and none of ours. It inherits no file descriptor of ours but `pass_fds`.
    """
    groups = user_groups(user)
    return await asyncio.create_subprocess_exec(
        *argv, env=dict(env), cwd=cwd, user=user, start_new_session=True, **groups,
        preexec_fn=die_with_parent, pass_fds=tuple(pass_fds), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)


def user_groups(user: str | None) -> dict[str, Any]:
    """subprocess's group arguments for running as `user`: its primary group only."""
    if user is None:
        return {}
    import pwd

    return {"group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


def kill_group(pgid: int, sig: int, start: int | None = None) -> bool:
    """Signal a whole process group; False when it is already gone, or not the one meant.

    `start`: when its leader started (start_time). PIDs wrap (32768 of them by default),
    so once the leader is gone its PID may name a new process, leader of a group of its
    own by the same number: that group is left alone. A leader that is gone, or a zombie,
    still holds its number, so then the group is still the one it led.
    """
    if start is not None and not _led_by(pgid, start):
        return False
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:  # a group of another user's processes: not ours to signal
        return False
    return True


async def stop_process(proc: ChildProcess, sig: int = signal.SIGTERM,
                       grace_s: float = 5.0, start: int | None = None) -> None:
    """Ask the process group to stop with `sig`, then SIGKILL it after `grace_s`.
    `start`: the leader's start time (kill_group), as read when it was started."""
    if proc.returncode is None:
        kill_group(proc.pid, sig, start)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), grace_s)
    # Whatever the leader did, nothing of its group stays behind.
    kill_group(proc.pid, signal.SIGKILL, start)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(proc.wait(), grace_s)


async def pump_lines(proc: ChildProcess, sink: Callable[[str], None]) -> None:
    """Forward each line the process prints to `sink` until its output closes."""
    assert proc.stdout is not None
    while True:
        line = await proc.stdout.readline()
        if not line:
            return
        sink(line.decode("utf-8", "replace").rstrip())


def start_time(pid: int) -> int | None:
    """When the process started (clock ticks since boot, Linux): with its PID it names one
    process, not a later one that got the same PID. None when it is gone (or not Linux)."""
    fields = _stat(pid)
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None


def same_process(pid: int, start: int | None) -> bool:
    """`pid` still names the process that started at `start` (any process when unknown),
    and it is not a zombie: killed, it only waits for its parent to collect it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    fields = _stat(pid)
    if fields and fields[0] in ("Z", "X"):
        return False
    return start is None or start_time(pid) in (start, None)


def _led_by(pgid: int, start: int) -> bool:
    """Group `pgid` is still the one whose leader started at `start`: no live process has
    that PID but the leader (or its zombie)."""
    fields = _stat(pgid)
    if not fields or fields[0] in ("Z", "X"):
        return True
    return start_time(pgid) in (start, None)


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command's name: state first (field 3)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return stat.rsplit(")", 1)[-1].split()
