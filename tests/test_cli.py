"""The CLI as users run it: exit codes, messages, init, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archgen.__main__ import main
from tests.helpers import ECOMMERCE, FINDING_LINE, MINIMAL, run_archgen, run_archgen_subprocess


def test_version_fast_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("archgen ")


def test_validate_blueprints_exit_zero() -> None:
    # The one CLI test through `python -m archgen` in a fresh interpreter; the rest run in-process.
    result = run_archgen_subprocess("validate", str(ECOMMERCE), str(MINIMAL))
    assert result.code == 0, result
    assert "All checks passed (2 catalogs)." in result.out


def test_validate_defaults_to_catalog_yaml_in_cwd(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(MINIMAL.read_text())
    assert run_archgen("validate", cwd=tmp_path).code == 0


def test_findings_exit_one_with_located_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("archgen: 1\nsystem: {name: shop, titel: x}\nservices:\n  a: {nfr: 5}\n")
    result = run_archgen("validate", "--select", "AG01", str(bad))  # schema errors only
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[-1] == "Found 2 errors in 1 catalog."
    assert all(FINDING_LINE.match(line) for line in lines[:-1])
    assert f"{bad}:2:22: error AG010 system.titel: unknown key `titel` (did you mean `title`?)" \
        in result.out


def test_warnings_pass_unless_fail_on_warning(tmp_path: Path) -> None:
    catalog = tmp_path / "c.yaml"
    text = MINIMAL.read_text().replace("  versions: [v1]", "  versions: [v1]\n  compression: yes")
    catalog.write_text(text)
    assert run_archgen("validate", str(catalog)).code == 0
    assert run_archgen("validate", "--fail-on", "warning", str(catalog)).code == 1
    assert run_archgen("validate", "--fail-on", "none", str(catalog)).code == 0


def test_json_output_is_versioned_and_located(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("archgen: 1\nsystem: {name: Shop}\nservices: {}\n")
    result = run_archgen("validate", "--format", "json", "--select", "AG01", str(bad))
    doc = json.loads(result.out)
    assert doc["version"] == 1
    [finding] = doc["files"][0]["findings"]
    assert finding["code"] == "AG014"  # a string, but not a DNS label: an invalid value
    assert finding["location"]["pointer"] == "/system/name"
    assert (finding["location"]["line"], finding["location"]["column"]) == (2, 16)


@pytest.mark.parametrize("args", [["validate", "--format", "nope"], ["nosuch"],
                                  ["validate", "--nosuch"], ["rule"],
                                  ["validate", "/nonexistent/catalog.yaml"],
                                  ["init", "--blueprint", "nosuch"],
                                  ["generate", "--only", "nope"],
                                  ["diagram", "--format", "gif"]])
def test_usage_errors_exit_two_in_one_style(args: list[str], tmp_path: Path) -> None:
    result = run_archgen(*args, cwd=tmp_path)
    assert result.code == 2
    assert result.out == ""
    error, hint = result.err.splitlines()
    assert error.startswith("archgen: error: ") and hint.startswith("  hint: "), result.err


def test_click_usage_errors_read_like_archgen_errors(tmp_path: Path) -> None:
    result = run_archgen("validate", "--format", "nope", cwd=tmp_path)
    assert result.err == (
        "archgen: error: invalid value for '--format' / '-f': 'nope' is not one of 'text', "
        "'full', 'json', 'sarif', 'github', 'junit', 'gitlab'.\n"
        "  hint: see `archgen validate --help`\n")


def test_directory_as_catalog_exits_two(tmp_path: Path) -> None:
    result = run_archgen("validate", str(tmp_path))
    assert result.code == 2 and "Traceback" not in result.err


def test_internal_errors_are_one_line(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    import archgen.validation

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("kaput\nsecond line")

    monkeypatch.setattr(archgen.validation, "validate_file", boom)
    assert main(["validate", str(MINIMAL)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: kaput" in err and "--debug" in err


def test_init_creates_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "new"
    first = run_archgen("init", str(target), "--blueprint", "minimal")
    assert first.code == 0, first
    created = target / "catalog.yaml"
    assert created.read_text() == MINIMAL.read_text()
    created.write_text("# mine\n")
    second = run_archgen("init", str(target))
    assert second.code == 2 and "refusing to overwrite" in second.err
    assert created.read_text() == "# mine\n"
    assert sorted(p.name for p in target.iterdir()) == ["catalog.yaml"]  # no temp files left


@pytest.mark.parametrize("name", ["mycat.yaml", "nested/dir/shop.yml"])
def test_init_takes_a_catalog_file_name(tmp_path: Path, name: str) -> None:
    result = run_archgen("init", name, "-b", "minimal", cwd=tmp_path)
    assert result.code == 0, result
    assert (tmp_path / name).read_text() == MINIMAL.read_text()
    assert result.out == (f"Created {name} from the minimal blueprint. "
                          f"Next: archgen validate {name}\n")


def test_init_refuses_an_existing_file_in_one_line(tmp_path: Path) -> None:
    existing = tmp_path / "some" / "catalog.yaml"
    existing.parent.mkdir()
    existing.write_text("# mine\n")
    result = run_archgen("init", str(existing))
    assert result.code == 2
    assert result.err == (f"archgen: error: {existing} already exists; refusing to overwrite "
                          "it\n  hint: name a new file, e.g. `archgen init new-catalog.yaml`\n")
    assert existing.read_text() == "# mine\n"


def test_init_refuses_a_folder_path_through_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x")
    result = run_archgen("init", "notes/sub", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith("archgen: error: notes is a file, not a folder\n")


def test_schema_command_writes_into_a_folder(tmp_path: Path) -> None:
    result = run_archgen("schema", "-o", str(tmp_path / "schema"))
    assert result.code == 0, result
    schema = json.loads((tmp_path / "schema" / "catalog.schema.json").read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_output_file_still_works_but_is_deprecated(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = run_archgen("schema", "-o", str(out))
    assert result.code == 0
    assert json.loads(out.read_text())["$schema"].startswith("https://json-schema.org/")
    assert result.err == (f"archgen: warning: -o {out} (a file) is deprecated; use -o "
                          f"{tmp_path} (a folder; writes catalog.schema.json)\n")


def test_init_creates_a_file_as_readable_as_any_other(tmp_path: Path) -> None:
    # mkstemp makes 0600 files; the catalog must follow the umask like any other file.
    import os

    mask = os.umask(0o022)
    try:
        assert main(["init", str(tmp_path), "--blueprint", "minimal"]) == 0
    finally:
        os.umask(mask)
    assert (tmp_path / "catalog.yaml").stat().st_mode & 0o777 == 0o644


def test_validate_accepts_a_folder(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(MINIMAL.read_text())
    assert run_archgen("validate", str(tmp_path)).code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_archgen("validate", str(empty))
    assert result.code == 2 and "is a folder without a catalog.yaml" in result.err


def test_version_path_imports_nothing_but_archgen() -> None:
    """`archgen --version` must cost about a bare interpreter: importing the package and its
    entry point may load no other module (typing alone, with the `re` it imports, doubled
    the console script's CPU time in a clean virtualenv)."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    probe = ("import sys; sys.path.insert(0, sys.argv[1]); before = set(sys.modules); "
             "import archgen.__main__; print(sorted(set(sys.modules) - before))")
    # -S: no site-packages hooks, so only what archgen itself imports is counted.
    out = subprocess.run([sys.executable, "-S", "-c", probe, str(ROOT / "src")],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['__future__', 'archgen', 'archgen.__main__']"


def test_building_the_cli_imports_no_generator_and_no_template_engine() -> None:
    """Every command builds the whole CLI first (its help lists every command): `validate`
    must not pay for the generators, jinja2 or cookiecutter there (they took about 0.4 s of
    its start when a command module imported a generator's constant)."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import archgen.cli; "
             "print(sorted(m for m in sys.modules if m.startswith(('archgen.generators', "
             "'archgen.generation', 'jinja2', 'cookiecutter'))))")
    out = subprocess.run([sys.executable, "-c", probe, str(ROOT / "src")],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
