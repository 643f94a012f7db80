"""Rule documentation: complete, unique, and every bad/good example runs as a test."""

from __future__ import annotations

import pytest

from archgen.cli import run
from archgen.rules import CODES, RULES, lookup
from archgen.rules.base import CHECKLIST
from tests.rules.helpers import report_of

WITH_EXAMPLES = sorted(c for c, r in CODES.items() if r.bad)


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_bad_example_fires(code: str) -> None:
    report = report_of(CODES[code].bad)
    assert code in {f.code for f in report.findings}, [f.code for f in report.findings]


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_good_example_is_clean_of_the_rule(code: str) -> None:
    report = report_of(CODES[code].good)
    assert report.load is not None and report.load.catalog is not None, report.findings
    assert code not in {f.code for f in report.findings}


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_is_documented(code: str) -> None:
    rule = RULES[code]
    assert rule.bad and rule.good, "checkable rules show bad and good YAML"
    assert len(rule.explanation) > 40 and rule.fix and rule.title and rule.section


def test_codes_and_slugs_are_unique_and_well_formed() -> None:
    slugs = [r.slug for r in CODES.values()]
    assert len(slugs) == len(set(slugs))
    for code, rule in CODES.items():
        assert rule.code == code and len(code) == 5 and code.startswith("AG")
        assert rule.slug == rule.slug.lower() and " " not in rule.slug
    # Checked rules start at AG100, but the limits (AG016-AG019): they guard
    # what loading lets through, as the AG0xx loader codes do.
    assert all(code >= "AG100" or "AG016" <= code <= "AG019" for code in RULES), \
        "rule codes start at AG100"


def test_every_checklist_item_has_a_rule() -> None:
    covered = {r.checklist for r in RULES.values()}
    assert set(CHECKLIST) <= covered, set(CHECKLIST) - covered


def test_lookup_accepts_codes_and_slugs() -> None:
    assert lookup("ag301") is lookup("bounded-context-shared") is CODES["AG301"]
    assert lookup("nothing-like-it") is None


@pytest.mark.parametrize("code", sorted(CODES))
def test_archgen_rule_documents_every_code(code: str, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    assert run(["rule", code]) == 0
    out = capsys.readouterr().out
    rule = CODES[code]
    assert out.startswith(f"{code} {rule.slug}: ") and rule.fix in out
    if rule.bad:
        assert "Bad:" in out and "Good:" in out


def test_archgen_rule_by_slug_and_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rule", "sync-cycle"]) == 0
    assert capsys.readouterr().out.startswith("AG310 sync-cycle")
    assert run(["rule", "AG999"]) == 2
    assert "no rule" in capsys.readouterr().err


def test_archgen_rules_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert run(["rules"]) == 0
    table = capsys.readouterr().out
    assert all(code in table for code in CODES)
    assert run(["rules", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == 1
    assert [r["code"] for r in doc["rules"]] == list(CODES)
