"""Golden files: generated/ecommerce holds what the blueprint generates, byte for byte.

After an intended change, regenerate them with
`archgen generate blueprints/ecommerce/catalog.yaml -o generated/ecommerce` and commit.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archgen.cli import run

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
GOLDEN = ROOT / "generated" / "ecommerce"
KINDS = "openapi,asyncapi"  # the kinds this test owns; other generators keep their own goldens
REGENERATE = "regenerate: archgen generate blueprints/ecommerce/catalog.yaml -o generated/ecommerce"


def owned(folder: Path) -> dict[str, bytes]:
    files = [*folder.glob("openapi/*.yaml"), folder / "asyncapi.yaml"]
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files if p.exists()}


def test_regenerating_the_blueprint_matches_the_golden_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["generate", str(BLUEPRINT), "-o", str(tmp_path), "--only", KINDS]) == 0
    capsys.readouterr()
    fresh, golden = owned(tmp_path), owned(GOLDEN)
    assert sorted(fresh) == sorted(golden), REGENERATE
    for path, content in fresh.items():
        assert content == golden[path], f"{path} differs; {REGENERATE}"


def test_check_on_the_golden_folder_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["generate", str(BLUEPRINT), "-o", str(GOLDEN), "--only", KINDS, "--check"])
    assert code == 0, capsys.readouterr().out
    assert "is up to date" in capsys.readouterr().out


def test_output_does_not_depend_on_hash_seed_or_process(tmp_path: Path) -> None:
    script = ("import hashlib, sys\n"
              "from archgen.catalog import load_catalog\n"
              "import datetime\n"
              "from archgen.generation import build_context, plan_outputs\n"
              "c = load_catalog(sys.argv[1]).catalog\n"
              "ctx = build_context(c, datetime.date(2026, 1, 1))\n"
              "files = plan_outputs(ctx, ['openapi', 'asyncapi'])\n"
              "h = hashlib.sha256()\n"
              "for f in sorted(files, key=lambda f: f.path):\n"
              "    h.update(f.path.encode() + b'\\0' + f.content.encode() + b'\\0')\n"
              "print(h.hexdigest())\n")
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script, str(BLUEPRINT)], env=env,
                              capture_output=True, text=True, check=True, timeout=120)
        digests.add(done.stdout.strip())
    expected = hashlib.sha256()
    for path, content in sorted(owned(GOLDEN).items()):
        expected.update(path.encode() + b"\0" + content + b"\0")
    assert digests == {expected.hexdigest()}
