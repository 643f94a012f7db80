"""The staged temp files of the journal and the manifest never outlive the next run.

A run killed while it stages `.archgen-journal.json` or `.archgen-manifest.json`
leaves `..archgen-journal.json.archgen-tmp` or `..archgen-manifest.json.archgen-tmp`
behind, half written, and (for the journal) no journal to say a run was cut off.
Whatever the next run finds to do, a change, nothing, or the fast path, it ends
with a clean folder.
"""

from __future__ import annotations

import json
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from archgen.writer import JOURNAL, MANIFEST, read_manifest, sha256
from archgen.writer.paths import CACHE, TEMP_SUFFIX, temp_of
from tests.helpers import MINIMAL, run_archgen

KINDS = "openapi,asyncapi"
STAGED = [JOURNAL, MANIFEST]


def generate(catalog: Path, out: Path) -> tuple[int, str]:
    run = run_archgen("generate", str(catalog), "-o", str(out), "--only", KINDS)
    return run.code, run.out + run.err


def assert_clean(out: Path) -> None:
    """No journal, no staged temp file, and a manifest that describes the folder exactly."""
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert [n for n in names if n.endswith(TEMP_SUFFIX) or n == JOURNAL] == []
    files = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert set(files) == names - {MANIFEST, CACHE}  # the cache: archgen's, not output
    for path, entry in files.items():
        assert sha256((out / path).read_bytes()) == entry["sha256"], path


def generated(tmp_path: Path) -> tuple[Path, Path]:
    catalog, out = tmp_path / "catalog.yaml", tmp_path / "out"
    shutil.copyfile(MINIMAL, catalog)
    code, text = generate(catalog, out)
    assert code == 0, text
    return catalog, out


def leave_half_written(out: Path, name: str) -> Path:
    """What a kill in the middle of staging `name` leaves: the first half of its text."""
    temp = temp_of(out / name)
    text = (out / MANIFEST).read_bytes()  # the journal's text is of the same JSON kind
    temp.write_bytes(text[: len(text) // 2])
    return temp


@pytest.mark.parametrize("name", STAGED)
def test_a_no_op_run_removes_a_staged_temp_file(tmp_path: Path, name: str) -> None:
    """The fast path (same catalog, files as recorded) must not keep a folder unclean."""
    catalog, out = generated(tmp_path)
    temp = leave_half_written(out, name)
    code, text = generate(catalog, out)
    assert code == 0, text
    assert not temp.exists()
    assert_clean(out)


@pytest.mark.parametrize("name", STAGED)
def test_a_run_with_nothing_to_write_removes_a_staged_temp_file(
        tmp_path: Path, name: str) -> None:
    """Full path (no fingerprint recorded), nothing to change: no journal is written."""
    catalog, out = generated(tmp_path)
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    del data["inputs"]
    (out / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    temp = leave_half_written(out, name)
    code, text = generate(catalog, out)
    assert code == 0, text
    assert not temp.exists()
    assert_clean(out)


@pytest.mark.parametrize("name", STAGED)
def test_a_run_with_changes_removes_a_staged_temp_file(tmp_path: Path, name: str) -> None:
    catalog, out = generated(tmp_path)
    first = sorted(read_manifest(out))[0]
    (out / first).unlink()
    temp = leave_half_written(out, name)
    code, text = generate(catalog, out)
    assert code == 0, text
    assert f"create {first}" in text
    assert not temp.exists()
    assert_clean(out)


def test_a_run_killed_by_the_kernel_while_writing_its_journal_leaves_nothing_for_good(
        tmp_path: Path) -> None:
    """A real kill at that exact point: a file-size limit below the journal's size, with
    SIGXFSZ at its default action (Python ignores it), kills the run inside the write.
    The next run, on the catalog the folder was generated from, has nothing to write."""
    catalog, out = generated(tmp_path)
    before = {p: (out / p).read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    other = tmp_path / "other.yaml"  # every file changes: a journal far over the limit
    other.write_text(catalog.read_text(encoding="utf-8").replace("name: notes,", "name: memos,"),
                     encoding="utf-8")
    limit = 512
    runner = ("import signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); "
              "from archgen.__main__ import main; sys.exit(main(sys.argv[1:]))")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run([sys.executable, "-c", runner, "generate", str(other), "-o",
                           str(out), "--only", KINDS], preexec_fn=limited,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == -signal.SIGXFSZ, done.stdout + done.stderr
    temp = temp_of(out / JOURNAL)
    assert temp.stat().st_size == limit  # killed inside the journal's write
    assert not (out / JOURNAL).exists()
    code, text = generate(catalog, out)
    assert code == 0, text
    assert not temp.exists()
    assert_clean(out)
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before
