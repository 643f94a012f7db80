"""When its pipe closes, the reaper kills the groups it watches and removes the run folder."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import psutil

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
        reaper.watch(watched.pid)
        reaper.watch(forgotten.pid)
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
