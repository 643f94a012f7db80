"""`archgen down` after a crash, the output folder's lock, and the parts' log file.

The processes here are real (`sleep` in its own session, as archgen starts parts);
what stands in for a crashed run is its up.json, written as the supervisor writes it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from archgen.cli import run
from archgen.runtime import instance, logfile, state
from archgen.runtime.procs import start_time


def _sleeper() -> subprocess.Popen[bytes]:
    """A part of a crashed run; reaped as soon as it dies, as init reaps an orphan."""
    proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
    threading.Thread(target=proc.wait, daemon=True).start()
    return proc


def _dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", ""])
    done.wait()
    return done.pid


def _crashed_run(output: Path, parts: list[dict[str, object]], run_dir: Path) -> None:
    state.write(output, state.UpState(_dead_pid(), None, {}, {}, str(run_dir), parts=parts,
                                      pid_start=1, detached=True))


def test_down_after_a_crash_kills_the_parts_and_removes_the_run_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    part, reused = _sleeper(), _sleeper()
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    try:
        start = start_time(reused.pid)
        assert start is not None
        _crashed_run(tmp_path / "out", [
            {"name": "broker", "pid": part.pid, "start": start_time(part.pid)},
            # A PID that now names another process (started later): never signalled.
            {"name": "svc", "pid": reused.pid, "start": start - 1},
            {"name": "gone", "pid": _dead_pid(), "start": 5}], run_dir)
        assert state.read(tmp_path / "out") is None  # its supervisor is dead
        assert run(["ps", "-o", str(tmp_path / "out")]) == 2
        assert "is gone; `archgen down" in capsys.readouterr().out

        assert run(["down", "-o", str(tmp_path / "out")]) == 0
        assert part.wait(10) == -signal.SIGKILL
        assert reused.poll() is None
        assert not run_dir.exists()
        assert state.read_any(tmp_path / "out") is None
        out = capsys.readouterr().out
        assert "is gone; killing what is left of its run" in out
        assert run(["down", "-o", str(tmp_path / "out")]) == 0
        assert "no archgen up is running for" in capsys.readouterr().out
    finally:
        for proc in (part, reused):
            proc.kill()
            proc.wait()


def test_one_supervisor_per_output_folder(tmp_path: Path) -> None:
    assert instance.holder(tmp_path) is None
    lock = instance.acquire(tmp_path)
    try:
        assert instance.holder(tmp_path) == os.getpid()
        with pytest.raises(instance.AlreadyRunning) as refused:
            instance.acquire(tmp_path)
        assert str(refused.value) == (f"archgen up is already running for {tmp_path} "
                                      f"(pid {os.getpid()}): still starting")
        state.write(tmp_path, state.UpState(os.getpid(), "http://127.0.0.1:8080", {}, {}, ""))
        assert instance.running_message(tmp_path).endswith(": gateway at http://127.0.0.1:8080")
    finally:
        lock.release()
    assert instance.holder(tmp_path) is None
    instance.acquire(tmp_path).release()


def test_an_old_up_json_still_reads(tmp_path: Path) -> None:
    """up.json as runs before these fields wrote it: token, loadtest and drift read it."""
    path = tmp_path / ".archgen" / "up.json"
    path.parent.mkdir()
    path.write_text(f'{{"gateway": null, "pid": {os.getpid()}, "pids": {{"broker": 1}}, '
                    '"run_dir": "/tmp/x", "services": {}}')
    old = state.read(tmp_path)
    assert old is not None and old.pids == {"broker": 1} and old.parts == []


def test_the_log_keeps_the_prefixes_and_logs_follows_it(tmp_path: Path) -> None:
    path = tmp_path / "up.log"
    writer = logfile.LogWriter(path, 14)
    writer.write("notes-service", "started")
    writer.write("broker", "ready")
    assert list(logfile.read(path)) == ["notes-service  | started", "broker         | ready"]
    assert list(logfile.read(path, "broker")) == ["broker         | ready"]

    seen: list[str] = []
    running = threading.Event()
    running.set()
    follower = threading.Thread(target=logfile.follow,
                                args=(path, "notes-service", running.is_set, seen.append))
    follower.start()
    writer.write("notes-service", "a new line")
    writer.write("broker", "not this one")
    time.sleep(3 * logfile.FOLLOW_POLL_S)
    running.clear()
    follower.join(5)
    writer.close()
    assert seen == ["notes-service  | started", "notes-service  | a new line"]


def test_the_log_moves_aside_when_full_and_a_follower_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logfile, "MAX_BYTES", 200)
    path = tmp_path / "up.log"
    writer = logfile.LogWriter(path, 4)
    seen: list[str] = []
    running = threading.Event()
    running.set()
    follower = threading.Thread(target=logfile.follow,
                                args=(path, None, running.is_set, seen.append))
    follower.start()
    for i in range(20):
        writer.write("svc", f"line {i:02d} " + "x" * 20)
        time.sleep(0.05)
    time.sleep(3 * logfile.FOLLOW_POLL_S)
    running.clear()
    follower.join(5)
    writer.close()
    assert path.stat().st_size <= 200
    assert (tmp_path / "up.log.1").is_file()
    assert [line.split()[3] for line in seen] == [f"{i:02d}" for i in range(20)]
