"""A catalog with twenty seeded problems reports all twenty in one run, each located."""

from __future__ import annotations

import pytest

from archgen.cli import run
from tests.rules.helpers import SEEDED, expectations, findings_of

TWENTY = SEEDED / "twenty_problems.yaml"


def test_all_twenty_problems_reported_and_located() -> None:
    expected = expectations(TWENTY.read_text(encoding="utf-8"))
    pairs = {(code, line) for code, lines in expected.items() for line in lines}
    assert len(pairs) == 20
    findings = findings_of(TWENTY)
    for f in findings:
        assert f.location.file == str(TWENTY) and f.location.span is not None
    found = {(f.code, f.location.span.line) for f in findings if f.location.span}
    assert pairs <= found, sorted(pairs - found)


def test_cli_exit_code_and_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "--isolated", str(TWENTY)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("Found ") and "errors" in lines[-1]
    assert all(":" in line and "[" in line for line in lines[:-1])
