"""Interrupted and concurrent `archgen generate` runs: the writer users must trust.

Real processes, real signals: each run is `python -m archgen generate` on a
500-service catalog, killed while it writes (once its journal exists).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archgen.writer import JOURNAL, MANIFEST, sha256
from archgen.writer.lock import folder_lock
from archgen.writer.paths import CACHE, TEMP_SUFFIX
from bench.synth import write_catalog

pytestmark = pytest.mark.slow
KINDS = "openapi,asyncapi"  # many files, no graphviz: the writer is what is under test


def generate(catalog: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "archgen", "generate", str(catalog),
                             "-o", str(out), "--only", KINDS, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(proc: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out + err


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("catalogs")
    first = write_catalog(500, folder / "a.yaml", seed=1)
    second = write_catalog(500, folder / "b.yaml", seed=2)
    outputs = {}
    for name, catalog in (("clean-a", first), ("clean", second)):
        code, text = finished(generate(catalog, folder / name))
        assert code == 0, text
        outputs[name] = folder / name
    return {"a": first, "b": second, **outputs}


def prepared(tmp_path: Path, catalogs: dict[str, Path]) -> Path:
    """An output folder as a finished run on catalog A left it (copied: runs are slow)."""
    out = tmp_path / "out"
    shutil.copytree(catalogs["clean-a"], out)
    return out


def tree(root: Path) -> dict[str, bytes]:
    """The folder's files; the cache left out (stats of one folder, not output)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != CACHE}


def assert_consistent(out: Path) -> None:
    """No journal, no staged temp file, and a manifest that describes the folder exactly."""
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert not [n for n in names if n.endswith(TEMP_SUFFIX) or n == JOURNAL]
    files = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert set(files) == names - {MANIFEST, CACHE}
    for path, entry in files.items():
        assert sha256((out / path).read_bytes()) == entry["sha256"], path


def kill_while_writing(proc: subprocess.Popen[str], out: Path, delay: float,
                       sig: signal.Signals) -> None:
    deadline = time.monotonic() + 120
    while not (out / JOURNAL).exists() and proc.poll() is None:
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.0005)
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(sig)
    proc.communicate(timeout=60)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_run_killed_while_writing_converges_on_the_next_run(
        tmp_path: Path, catalogs: dict[str, Path], seed: int) -> None:
    out = prepared(tmp_path, catalogs)
    delay = random.Random(seed).uniform(0.0, 0.08)
    kill_while_writing(generate(catalogs["b"], out), out, delay, signal.SIGKILL)
    code, text = finished(generate(catalogs["b"], out))  # no --force
    assert code == 0, text
    assert "skip" not in text
    assert_consistent(out)
    assert tree(out) == tree(catalogs["clean"])


def test_sigterm_while_writing_leaves_a_true_manifest_at_once(
        tmp_path: Path, catalogs: dict[str, Path]) -> None:
    out = prepared(tmp_path, catalogs)
    kill_while_writing(generate(catalogs["b"], out), out, 0.01, signal.SIGTERM)
    assert_consistent(out)  # settled by the dying run itself, before any next run
    code, text = finished(generate(catalogs["b"], out))
    assert code == 0, text
    assert tree(out) == tree(catalogs["clean"])


def test_two_runs_into_one_folder_never_interleave(
        tmp_path: Path, catalogs: dict[str, Path]) -> None:
    out = tmp_path / "out"
    first, second = generate(catalogs["a"], out), generate(catalogs["b"], out)
    results = [finished(first), finished(second)]
    assert all(code == 0 for code, _ in results), results
    assert_consistent(out)
    # The later run's output, whole: never specs from one catalog and AsyncAPI from the other.
    files = tree(out)
    whole = [t for t in (tree(catalogs["clean"]), tree(catalogs["clean-a"]))
             if {k: v for k, v in t.items() if k != MANIFEST}
             == {k: v for k, v in files.items() if k != MANIFEST}]
    assert len(whole) == 1


def test_a_run_that_cannot_get_the_folder_exits_2_with_a_clear_message(
        tmp_path: Path, catalogs: dict[str, Path]) -> None:
    out = tmp_path / "out"
    with folder_lock(out):
        code, text = finished(generate(catalogs["a"], out))
    assert code == 2
    assert "another `archgen generate` is writing into this folder" in text
    assert "Traceback" not in text


def test_a_read_only_folder_inside_gives_a_located_error_and_a_true_manifest(
        tmp_path: Path, catalogs: dict[str, Path]) -> None:
    out = prepared(tmp_path, catalogs)
    locked = out / "openapi"
    if os.geteuid() == 0:  # root ignores modes; the immutable attribute stops root too
        subprocess.run(["chattr", "+i", str(locked)], check=True)
    else:
        locked.chmod(0o555)
    try:
        code, text = finished(generate(catalogs["b"], out))
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(locked)], check=True)
        else:
            locked.chmod(0o755)
    assert code == 2
    assert "cannot write" in text and str(locked) in text
    assert "Traceback" not in text and "internal error" not in text
    assert_consistent(out)
