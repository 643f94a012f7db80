"""The checklist is ticked from rule results, and failed items name their findings."""

from __future__ import annotations

from dataclasses import dataclass

from archgen.findings import Finding, Location, Severity
from archgen.generators.docs.checklist import TEMPLATE_CHECKLIST, tick_checklist
from archgen.rules import RULES
from archgen.rules.base import CHECKLIST


@dataclass(frozen=True)
class FakeRule:
    code: str
    checklist: str | None


def _finding(code: str, severity: Severity) -> Finding:
    return Finding(code, "slug", severity, f"{code} went wrong",
                   Location("c.yaml", ("services", "a")))


RULES_A = {"AG1": FakeRule("AG1", TEMPLATE_CHECKLIST[0]),
           "AG2": FakeRule("AG2", TEMPLATE_CHECKLIST[0]),
           "AG3": FakeRule("AG3", TEMPLATE_CHECKLIST[1]),
           "AG9": FakeRule("AG9", None)}


def test_an_item_fails_with_its_findings_and_passes_without() -> None:
    items = tick_checklist([_finding("AG2", Severity.ERROR), _finding("AG9", Severity.ERROR)],
                           RULES_A)
    assert [i.text for i in items] == list(TEMPLATE_CHECKLIST)
    assert not items[0].ticked
    assert [f.code for f in items[0].findings] == ["AG2"]
    assert items[0].rules == ("AG1", "AG2")
    assert items[1].ticked and items[1].findings == ()


def test_info_findings_are_listed_but_do_not_untick() -> None:
    items = tick_checklist([_finding("AG3", Severity.INFO)], RULES_A)
    assert items[1].ticked
    assert [f.code for f in items[1].findings] == ["AG3"]


def test_items_no_rule_checks_are_never_ticked() -> None:
    items = tick_checklist([], RULES_A)
    assert not items[2].ticked and not items[2].checked


def test_every_template_item_is_checked_by_a_real_rule() -> None:
    assert tuple(TEMPLATE_CHECKLIST) == CHECKLIST
    items = tick_checklist([], RULES)
    assert all(i.checked and i.ticked for i in items)
