"""text, full, json, github, junit, gitlab; -o FORMAT=FILE with the summary on stdout."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from archgen.reporting.machine import github_line
from archgen.rules import RULES
from tests.reporting.helpers import SEEDED, validate
from tests.rules.helpers import FINDING_COUNT_LINE


def test_text_lines_and_statistics(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(capsys, str(SEEDED), "--statistics")
    lines = out.splitlines()
    summary = next(i for i, line in enumerate(lines) if line.startswith("Found "))
    assert code == 1 and FINDING_COUNT_LINE.match(lines[summary])
    stats = lines[summary + 1:]
    counts = {line.split()[1]: int(line.split()[0]) for line in stats}
    assert sum(counts.values()) == summary and counts["AG503"] == 2


def test_full_has_code_frames_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(capsys, str(SEEDED), "--format", "full", "--select", "AG310")
    assert code == 1
    assert "depends_on: [order-service]" in out and " ^" in out
    assert "= help: Break the cycle" in out and "= related: " in out
    assert "= docs: archgen rule AG310" in out


def test_json_is_versioned_with_suppressed_and_statistics(capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    code, out = validate(capsys, str(SEEDED), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["version"] == 1 and doc["exit_code"] == 1
    findings = doc["files"][0]["findings"]
    assert doc["summary"]["error"] == sum(f["severity"] == "error" for f in findings)
    assert all(f["location"]["line"] and f["fingerprint"] for f in findings)
    assert sum(doc["statistics"].values()) == len(findings)


def test_github_workflow_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(capsys, str(SEEDED), "--format", "github")
    lines = out.splitlines()
    assert code == 1 and lines[-1].startswith("Found ")
    for line in lines[:-1]:
        assert line.startswith(("::error file=", "::warning file=", "::notice file="))
        assert ",line=" in line and ",title=AG" in line and "\n" not in line


def test_github_escaping() -> None:
    from archgen.findings import Finding, Location, Severity, Span

    f = Finding("AG301", "x", Severity.WARNING, "50%\nnext", Location("a,b:c.yaml", (),
                                                                    Span(1, 2, 1, 5)))
    assert github_line(f) == ("::warning file=a%2Cb%3Ac.yaml,line=1,col=2,endLine=1,"
                              "endColumn=5,title=AG301 x::50%25%0Anext")


def test_junit_one_case_per_rule_and_entity(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(capsys, str(SEEDED), "--format", "junit")
    suite = ET.fromstring(out).find("testsuite")
    assert code == 1 and suite is not None
    cases = suite.findall("testcase")
    names = {c.get("name") for c in cases}
    services = ["order-service", "billing-service", "mailer-service"]
    for code_ in RULES:
        for entity in ["system", *services]:
            assert f"{code_} {entity}" in names
    failing = {c.get("name") for c in cases if c.find("failure") is not None}
    assert "AG300 mailer-service" in failing and "AG308 order-service" in failing
    assert "AG300 order-service" not in failing  # passes are included
    warning = next(c for c in cases if c.get("name") == "AG305 billing-service")
    assert warning.find("failure") is None
    assert "AG305" in (warning.findtext("system-out") or "")
    assert suite.get("tests") == str(len(cases))
    assert suite.get("failures") == str(len(failing))


def test_gitlab_code_quality(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(capsys, str(SEEDED), "--format", "gitlab")
    issues = json.loads(out)
    assert code == 1 and issues
    for issue in issues:
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["lines"]["begin"] >= 1 and issue["check_name"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_several_outputs_at_once_keep_text_on_stdout(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out = validate(capsys, str(SEEDED), "--report", f"sarif={tmp_path / 'a.sarif'}",
                         "--report", f"junit={tmp_path / 'j.xml'}", "--report",
                         f"gitlab={tmp_path / 'gl.json'}")
    assert code == 1 and out.splitlines()[-1].startswith("Found ")
    assert json.loads((tmp_path / "a.sarif").read_text())["version"] == "2.1.0"
    assert ET.parse(tmp_path / "j.xml").getroot().tag == "testsuites"
    assert json.loads((tmp_path / "gl.json").read_text())


def test_unwritable_output_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = validate(capsys, str(SEEDED), "--report",
                       f"json={tmp_path / 'no' / 'dir' / 'x.json'}")
    assert code == 2


def test_o_format_file_still_writes_a_report_with_a_deprecation_warning(tmp_path: Path) -> None:
    from tests.helpers import run_archgen

    # Older action.yml copies and users' scripts pass `-o sarif=FILE`.
    result = run_archgen("validate", "--isolated", str(SEEDED), "-o",
                         f"sarif={tmp_path / 'a.sarif'}")
    assert result.code == 1
    assert json.loads((tmp_path / "a.sarif").read_text())["version"] == "2.1.0"
    assert result.err == ("archgen: warning: -o/--output FORMAT=FILE on validate is deprecated; "
                          "use --report FORMAT=FILE\n")


def test_statistics_go_to_stderr_when_stdout_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    from archgen.cli import run

    assert run(["validate", "--isolated", str(SEEDED), "-f", "json", "--statistics"]) == 1
    captured = capsys.readouterr()
    json.loads(captured.out)
    assert "AG503" in captured.err
