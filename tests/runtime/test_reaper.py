"""When its pipe closes, the reaper kills the groups it watches and removes the run folder."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import psutil

from archgen.runtime.procs import kill_group, start_time
from archgen.runtime.reaper import Reaper


def test_closing_the_pipe_kills_the_watched_groups_and_removes_the_folder(tmp_path: Path
                                                                           ) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "left-over").write_text("x")
    # A group whose leader has a child: both go (the child is what pdeathsig alone misses).
    watched = subprocess.Popen(["sh", "-c", "sleep 60 & wait"], start_new_session=True)
    forgotten = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not psutil.Process(watched.pid).children() and time.monotonic() < deadline:
            time.sleep(0.05)
        child = psutil.Process(watched.pid).children()[0]
        reaper = Reaper(run_dir)
        reaper.watch(watched.pid, start_time(watched.pid))
        reaper.watch(forgotten.pid, None)
        reaper.forget(forgotten.pid)
        reaper.close()
        assert watched.wait(10) == -9
        assert child.wait(10) is None or not child.is_running()
        time.sleep(0.2)
        assert forgotten.poll() is None
        assert not run_dir.exists()
    finally:
        for proc in (watched, forgotten):
            proc.kill()
            proc.wait(10)


def test_a_group_number_that_names_another_process_now_is_left_alone(tmp_path: Path) -> None:
    """PIDs wrap: the number of a group archgen started may, once its leader is gone, be
    the PID of a new process that leads a group of its own (another program's server).
    The reaper knows its leader by its start time and does not kill the newcomer."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    newcomer = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        started = start_time(newcomer.pid)
        assert started is not None
        reaper = Reaper(run_dir)
        reaper.watch(newcomer.pid, started - 1)  # "ours" started before it: not this one
        reaper.close()
        time.sleep(0.2)
        assert newcomer.poll() is None
        assert not run_dir.exists()
    finally:
        newcomer.kill()
        newcomer.wait(10)


def test_a_gone_leader_still_names_its_group_and_a_newcomer_does_not() -> None:
    # A leader that exited leaves its group (a child that outlived it): still killed.
    orphaned = subprocess.Popen(["sh", "-c", "sleep 60 & echo $!"], start_new_session=True,
                                stdout=subprocess.PIPE, text=True)
    assert orphaned.stdout is not None
    with orphaned.stdout:
        left = psutil.Process(int(orphaned.stdout.readline()))
    started = start_time(orphaned.pid)
    orphaned.wait(10)
    assert left.is_running()
    assert kill_group(orphaned.pid, signal.SIGKILL, started if started is not None else 0)
    left.wait(10)
    # A live process with that PID but another start time: its group is not the one meant.
    other = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        other_start = start_time(other.pid)
        assert other_start is not None
        assert not kill_group(other.pid, signal.SIGKILL, other_start + 1)
        assert other.poll() is None
        assert kill_group(other.pid, signal.SIGKILL, other_start)
        assert other.wait(10) == -9
    finally:
        other.kill()
        other.wait(10)
