"""The wheel ships templates/ and blueprints/ and works outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True)
    [built] = out.glob("archgen-*.whl")
    return built


def test_wheel_contains_the_shipped_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "archgen/_data/blueprints/ecommerce/catalog.yaml" in names
    assert "archgen/_data/blueprints/minimal/catalog.yaml" in names
    assert any(n.startswith("archgen/_data/templates/") for n in names)
    # The dashboard's page and its API explorer: served from the wheel, never a CDN.
    static = "archgen/runtime/dashboard/static/"
    for name in ("index.html", "dashboard.js", "dashboard.css", "explorer.html", "explorer.js",
                 "swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css",
                 "swagger-ui/LICENSE", "swagger-ui/NOTICE"):
        assert static + name in names


@pytest.mark.slow
def test_installed_wheel_works_outside_the_repo(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = subprocess.run([sys.executable, "-m", "archgen", "init", "--blueprint", "minimal", "."],
                          cwd=work, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    show = "from archgen.resources import data_dir; print(data_dir('blueprints'))"
    where = subprocess.run([sys.executable, "-c", show],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(target))
    check = subprocess.run([sys.executable, "-m", "archgen", "validate"], cwd=work, env=env,
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
