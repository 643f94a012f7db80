"""Every rule's case files: fail cases fire at the marked lines exactly, pass cases never."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgen.rules import CODES, RULES
from tests.rules.helpers import CASES, expectations, findings_of, lines_of

FILES = sorted(CASES.glob("*/*/*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: "/".join(p.parts[-3:]))
def test_case_file(path: Path) -> None:
    code, kind = path.parts[-3], path.parts[-2]
    assert code in CODES, f"{code} is not a documented code"
    findings = findings_of(path)
    fired = lines_of(findings, code)
    if kind == "pass":
        assert not fired, [f.message for f in findings if f.code == code]
        return
    assert kind == "fail"
    expected = expectations(path.read_text(encoding="utf-8")).get(code)
    assert expected, f"{path.name} marks no line with `# expect: {code}`"
    assert fired == expected, [(f.location.span, f.message) for f in findings if f.code == code]


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_pass_and_fail_cases(code: str) -> None:
    for kind in ("pass", "fail"):
        assert list((CASES / code / kind).glob("*.yaml")), f"{code} has no {kind} case"


def test_case_folders_are_known_codes() -> None:
    assert {p.name for p in CASES.iterdir() if p.is_dir()} <= set(CODES)
