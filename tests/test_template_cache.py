"""Compiled templates are kept between runs in a folder of the user's own, and never
trusted from anywhere else (src/archgen/template_cache.py)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from archgen.template_cache import OFF_ENV, bytecode_cache, cache_folder
from tests.helpers import ECOMMERCE, ROOT

# Renders every managed template of the services in a fresh process; with FORBID, any
# template archgen's Jinja environment has to compile is an error: all must come from the
# cache.
RENDER = '''
import os, sys
from archgen.templating import environment
if os.environ.get("FORBID"):  # archgen's environment only (the scaffold's sandbox has its own)
    def refuse(*args, **kwargs):
        raise AssertionError("compiled a template")
    environment().compile = refuse
from archgen.cli import run
sys.exit(run(["generate", sys.argv[1], "-o", sys.argv[2], "--only", "services,aggregator"]))
'''


def _generate(tmp_path: Path, out: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", RENDER, str(ECOMMERCE), str(tmp_path / out)],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src"),
                               "XDG_CACHE_HOME": str(tmp_path / "cache"), **env})


def test_a_second_run_compiles_no_template(tmp_path: Path) -> None:
    first = _generate(tmp_path, "a")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    folder = tmp_path / "cache" / "archgen" / "templates"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert len(list(folder.iterdir())) > 20
    second = _generate(tmp_path, "b", FORBID="1")
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert (tmp_path / "b" / "services" / "order-service" / "src" / "order_service"
            / "routes.py").read_bytes() == (tmp_path / "a" / "services" / "order-service"
                                             / "src" / "order_service" / "routes.py").read_bytes()
    # Without the cache the same forbidding run fails: the check above is not vacuous.
    third = _generate(tmp_path, "c", FORBID="1", **{OFF_ENV: "off"})
    assert third.returncode != 0 and "compiled a template" in third.stderr


def test_a_folder_others_may_write_or_that_is_no_folder_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = cache_folder()
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    assert bytecode_cache() is None  # another user could plant code there
    folder.chmod(0o700)
    assert bytecode_cache() is not None
    os.chown(folder, 65534, 65534)  # tests run as root: a folder of somebody else's
    assert bytecode_cache() is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    (tmp_path / "file").write_text("not a folder")
    assert bytecode_cache() is None  # cannot be made: templates compile in memory
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv(OFF_ENV, "off")
    assert bytecode_cache() is None


def test_an_unwritable_cache_costs_a_compile_not_the_run(tmp_path: Path) -> None:
    """A cache folder that refuses writes (chattr +i: tests run as root) leaves the run
    as it was without a cache."""
    folder = tmp_path / "cache" / "archgen" / "templates"
    folder.mkdir(parents=True, mode=0o700)
    locked = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if locked.returncode != 0:
        pytest.skip(f"chattr +i is refused here: {locked.stderr.decode().strip()}")
    try:
        done = _generate(tmp_path, "a")
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert list(folder.iterdir()) == []
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
