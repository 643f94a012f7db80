"""Runtime test fixtures: a catalog folder with stand-in services, and `archgen up` in it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archgen.catalog import load_catalog
from archgen.model.deployment import deployment
from tests.runtime.standin import write_standins

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90


@pytest.fixture
def minimal_system(tmp_path: Path) -> Path:
    """blueprints/minimal copied to tmp, with stand-in services in out/ (its output folder)."""
    shutil.copy(ROOT / "blueprints" / "minimal" / "catalog.yaml", tmp_path / "catalog.yaml")
    loaded = load_catalog(tmp_path / "catalog.yaml")
    assert loaded.catalog is not None
    write_standins(tmp_path / "out", deployment(loaded.catalog))
    return tmp_path


class UpProcess:
    """`archgen up` as a child of the test, in its own session like a user's terminal job."""

    def __init__(self, folder: Path, *args: str, path_first: Path | None = None) -> None:
        """`path_first`: a folder of Python packages that come before the installed ones."""
        self.folder = folder
        self.log = folder / "up.log"
        paths = [*([str(path_first)] if path_first else []), str(ROOT / "src"), str(ROOT)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "archgen", "up", "catalog.yaml", "-o", "out", *args],
                cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def state(self) -> dict[str, object]:
        """up.json once every part is ready (bounded wait)."""
        path = self.folder / "out" / ".archgen" / "up.json"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if path.is_file():
                return dict(json.loads(path.read_text()))
            if self.proc.poll() is not None:
                pytest.fail(f"archgen up exited {self.proc.returncode}:\n{self.output()}")
            time.sleep(0.1)
        pytest.fail(f"archgen up not ready after {START_TIMEOUT_S} s:\n{self.output()}")

    def output(self, tail: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-tail:]

    def stop(self, sig: int = signal.SIGINT, timeout_s: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout_s)


@pytest.fixture
def up_process(minimal_system: Path) -> Iterator[UpProcess]:
    up = UpProcess(minimal_system)
    yield up
    if up.proc.poll() is None:
        up.proc.kill()
        up.proc.wait(10)
