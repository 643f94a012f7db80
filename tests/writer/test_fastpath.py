"""Regeneration's no-op fast path: taken only when nothing that feeds it changed.

The fast path leaves the manifest untouched; the full path re-records the inputs
fingerprint after a clean write. Tests tell the two apart by that.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from archgen.writer import MANIFEST, read_manifest
from archgen.writer.fastpath import fingerprint, tree_digest
from archgen.writer.manifest import manifest_text, read_inputs
from archgen.writer.paths import CACHE
from tests.helpers import MINIMAL, run_archgen

KINDS = "openapi,asyncapi"


def generate(catalog: Path, out: Path) -> tuple[int, str]:
    run = run_archgen("generate", str(catalog), "-o", str(out), "--only", KINDS)
    return run.code, run.out


def setup(tmp_path: Path) -> tuple[Path, Path]:
    catalog, out = tmp_path / "catalog.yaml", tmp_path / "out"
    shutil.copyfile(MINIMAL, catalog)
    code, _ = generate(catalog, out)
    assert code == 0
    return catalog, out


def test_a_no_op_run_takes_the_fast_path_and_reports_like_the_full_path(
        tmp_path: Path) -> None:
    catalog, out = setup(tmp_path)
    manifest = (out / MANIFEST).read_bytes()
    assert read_inputs(out) is not None
    code, fast = generate(catalog, out)
    assert code == 0
    assert (out / MANIFEST).read_bytes() == manifest  # fast path: nothing rewritten
    data = json.loads(manifest)
    del data["inputs"]
    (out / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    code, full = generate(catalog, out)
    assert code == 0
    assert full.strip().splitlines()[-1] == fast.strip().splitlines()[-1]
    assert fast.strip().endswith(f"{len(read_manifest(out))} unchanged in {out}.")
    assert read_inputs(out) == json.loads(manifest)["inputs"]  # full path recorded it again


def test_other_inputs_in_the_manifest_take_the_full_path(tmp_path: Path) -> None:
    """What a template or archgen upgrade looks like from the folder: another fingerprint."""
    catalog, out = setup(tmp_path)
    recorded = read_inputs(out)
    (out / MANIFEST).write_text(manifest_text(read_manifest(out), "sha256:stale"),
                                encoding="utf-8")
    code, _ = generate(catalog, out)
    assert code == 0
    assert read_inputs(out) == recorded


def test_an_edited_file_takes_the_full_path_and_is_kept(tmp_path: Path) -> None:
    catalog, out = setup(tmp_path)
    target = next(p for p in sorted(read_manifest(out)) if p.endswith(".yaml"))
    (out / target).write_text("edited by hand\n", encoding="utf-8")
    code, text = generate(catalog, out)
    assert code == 1
    assert f"skip {target}" in text
    assert (out / target).read_text(encoding="utf-8") == "edited by hand\n"


def test_a_missing_file_takes_the_full_path_and_is_written_again(tmp_path: Path) -> None:
    catalog, out = setup(tmp_path)
    target = sorted(read_manifest(out))[0]
    before = (out / target).read_bytes()
    (out / target).unlink()
    code, text = generate(catalog, out)
    assert code == 0
    assert f"create {target}" in text
    assert (out / target).read_bytes() == before


def test_a_catalog_change_takes_the_full_path(tmp_path: Path) -> None:
    catalog, out = setup(tmp_path)
    text = catalog.read_text(encoding="utf-8")
    assert "title: " in text
    catalog.write_text(text.replace("title: ", "title: Renamed ", 1), encoding="utf-8")
    code, out_text = generate(catalog, out)
    assert code == 0
    assert "update " in out_text


def test_the_fingerprint_covers_catalog_kinds_date_and_source(tmp_path: Path) -> None:
    day = date(2026, 1, 1)
    base = fingerprint("a: 1\n", ["openapi"], day)
    assert base == fingerprint("a: 1\n", ["openapi"], day)
    assert base != fingerprint("a: 2\n", ["openapi"], day)
    assert base != fingerprint("a: 1\n", ["openapi", "docs"], day)
    assert base != fingerprint("a: 1\n", ["openapi"], date(2026, 1, 2))
    templates = tmp_path / "templates"
    (templates / "services").mkdir(parents=True)
    (templates / "services" / "app.py.jinja").write_text("x = 1\n", encoding="utf-8")
    before = tree_digest([templates])
    (templates / "services" / "app.py.jinja").write_text("x = 2\n", encoding="utf-8")
    assert tree_digest([templates]) != before


def test_the_manifest_stays_format_2_with_or_without_inputs(tmp_path: Path) -> None:
    _, out = setup(tmp_path)
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert data["format"] == 2
    assert set(data) == {"format", "generated_by", "files", "inputs"}
    assert "inputs" not in json.loads(manifest_text(read_manifest(out)))


_COUNT_OPENS = """
import json, os, sys
out, report = os.path.realpath(sys.argv[1]), sys.argv[2]
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(args[0]))
        if path.startswith(out + os.sep):
            opened.append(os.path.relpath(path, out))
sys.addaudithook(hook)
from archgen.__main__ import main
try:
    code = main(sys.argv[3:])
finally:
    with open(report, "w") as f:
        json.dump(opened, f)
sys.exit(code)
"""


def opened_by_generate(catalog: Path, out: Path, report: Path) -> list[str]:
    """The files under `out` a real `archgen generate` process opens (Python's audit hook
    sees every open, `os.open` included)."""
    from tests.helpers import _ENV

    proc = subprocess.run([sys.executable, "-c", _COUNT_OPENS, str(out), str(report),
                           "generate", str(catalog), "-o", str(out), "--only", KINDS],
                          env={**os.environ, **_ENV}, capture_output=True, text=True,
                          check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "unchanged" in proc.stdout
    return sorted(json.loads(report.read_text(encoding="utf-8")))


def test_a_no_op_run_opens_no_generated_file(tmp_path: Path) -> None:
    """It trusts the stats the cache recorded: only the manifest and the cache are read."""
    catalog, out = setup(tmp_path)
    assert read_manifest(out)
    opened = opened_by_generate(catalog, out, tmp_path / "opened.json")
    assert set(opened) <= {MANIFEST, CACHE}, opened
    assert MANIFEST in opened


def test_a_no_op_run_still_reads_a_file_whose_stat_changed(tmp_path: Path) -> None:
    """A touched file is read and hashed (same content: still up to date)."""
    catalog, out = setup(tmp_path)
    target = sorted(read_manifest(out))[0]
    os.utime(out / target, ns=(1, 1))
    opened = opened_by_generate(catalog, out, tmp_path / "opened.json")
    assert target in opened
