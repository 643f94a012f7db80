"""Configuration: files found upward, precedence CLI > env > file > catalog, errors exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgen.cli import run
from archgen.config import Settings, find_config, resolve

CATALOG = """\
archgen: 1
system: {name: shop}
services:
  a: {bounded_context: Orders}
  b: {bounded_context: Orders}
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    folder = tmp_path / "deep" / "er"
    folder.mkdir(parents=True)
    path = folder / "catalog.yaml"
    path.write_text(CATALOG, encoding="utf-8")
    return path


def _validate(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_archgen_toml_found_upward(tmp_path: Path, catalog: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "archgen.toml").write_text('select = ["AG301"]\n')
    assert find_config(catalog) == tmp_path / "archgen.toml"
    code, out, _ = _validate(str(catalog), capsys=capsys)
    assert code == 0 and "AG301" in out and "AG100" not in out


def test_pyproject_tool_archgen(tmp_path: Path, catalog: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.archgen]\nignore = ["AG1", "mesh-missing"]\n'
        'fail-on = "warning"\n[tool.archgen.severity]\nAG301 = "error"\n')
    code, out, _ = _validate(str(catalog), capsys=capsys)
    assert code == 1 and "AG100" not in out and "AG200" not in out
    assert "error AG301" in out


def test_pyproject_without_table_is_skipped(tmp_path: Path, catalog: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(catalog) is None or find_config(catalog) != tmp_path / "pyproject.toml"


def test_unknown_key_exits_2(tmp_path: Path, catalog: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "archgen.toml").write_text('selct = ["AG301"]\n')
    code, out, err = _validate(str(catalog), capsys=capsys)
    assert code == 2 and "unknown configuration key(s): selct" in err and out == ""


def test_unknown_rule_and_bad_toml_exit_2(tmp_path: Path, catalog: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "archgen.toml").write_text('ignore = ["AG4242"]\n')
    assert _validate(str(catalog), capsys=capsys)[0] == 2
    (tmp_path / "archgen.toml").write_text('ignore = [\n')
    code, _, err = _validate(str(catalog), capsys=capsys)
    assert code == 2 and "invalid TOML" in err
    assert _validate(str(catalog), "--select", "no-such-rule", "--isolated",
                     capsys=capsys)[0] == 2
    assert _validate(str(catalog), "--report", "xml=out.xml", capsys=capsys)[0] == 2


def test_isolated_skips_files_and_config_overrides(tmp_path: Path, catalog: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "archgen.toml").write_text('select = ["AG301"]\n')
    code, out, _ = _validate(str(catalog), "--isolated", capsys=capsys)
    assert code == 1 and "AG100" in out
    other = tmp_path / "other.toml"
    other.write_text('select = ["AG300"]\n')
    code, out, _ = _validate(str(catalog), "--config", str(other), capsys=capsys)
    assert code == 0 and out.startswith("All checks passed")


def test_precedence_cli_over_env_over_file(tmp_path: Path, catalog: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "archgen.toml").write_text('select = ["AG1"]\nfail-on = "none"\n')
    monkeypatch.setenv("ARCHGEN_SELECT", "AG2,AG3")
    monkeypatch.setenv("ARCHGEN_FAIL_ON", "warning")
    import os

    settings = resolve(catalog, {}, os.environ)
    assert settings.select == ("AG2", "AG3") and settings.fail_on == "warning"
    settings = resolve(catalog, {"select": ["AG4"], "fail-on": "info"}, os.environ)
    assert settings.select == ("AG4",) and settings.fail_on == "info"
    assert resolve(catalog, {}, {}, isolated=True) == Settings()


def test_select_ignore_by_code_slug_prefix(catalog: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _validate(str(catalog), "--isolated", "--select", "AG30",
                             "--ignore", "bounded-context-spelling", capsys=capsys)
    assert code == 1
    found = {line.split()[2] for line in out.splitlines()[:-1]}
    assert found and all(c.startswith("AG30") for c in found) and "AG302" not in found


def test_fail_on_levels(catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(catalog), "--isolated", "--select", "AG301"]
    assert _validate(*args, capsys=capsys)[0] == 0
    assert _validate(*args, "--fail-on", "warning", capsys=capsys)[0] == 1
    assert _validate(str(catalog), "--isolated", "--fail-on", "none", capsys=capsys)[0] == 0


def test_per_file_ignores(tmp_path: Path, catalog: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "archgen.toml").write_text(
        'select = ["AG301"]\n[per-file-ignores]\n"*/er/catalog.yaml" = ["AG301"]\n')
    code, out, _ = _validate(str(catalog), "--fail-on", "warning", capsys=capsys)
    assert code == 0 and "AG301" not in out


def test_missing_catalog_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _validate(str(tmp_path / "nope.yaml"), "--isolated", capsys=capsys)
    assert code == 2 and "no such file" in err
