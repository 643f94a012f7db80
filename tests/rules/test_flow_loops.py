"""AG529 flow-loops: what it names, where it points, and which steps stop a cycle."""

from __future__ import annotations

from archgen.findings import Finding
from archgen.reporting.common import finding_line
from tests.rules.helpers import CASES, findings_of, report_of

FAIL = CASES / "AG529" / "fail"
PASS = CASES / "AG529" / "pass"


def _loops(text: str) -> list[Finding]:
    report = report_of(text)
    assert report.load is not None and report.load.catalog is not None, report.findings
    return [f for f in report.findings if f.code == "AG529"]


def test_names_the_cycle_in_order_from_the_endpoints_event() -> None:
    [finding] = [f for f in findings_of(FAIL / "reserved.yaml") if f.code == "AG529"]
    assert ("the flow order.created → inventory-service reacts → inventory.reserved → "
            "order-service reacts → order.created loops forever") in finding.message
    # At the emit that closes it (order-service's), the other step related.
    assert finding_line(finding).startswith(f"{FAIL / 'reserved.yaml'}:27:17: error AG529 ")
    assert [r.span.line for r in finding.related if r.span] == [37]


def test_one_finding_per_knot_of_reactions() -> None:
    text = (FAIL / "reserved.yaml").read_text(encoding="utf-8")
    # A second cycle through the same reactions: the inventory also answers
    # order.confirmed, which order-service now emits too.
    text = text.replace("emits: [order.created]  # expect: AG529",
                        "emits: [order.created, order.confirmed]")
    text = text.replace("      order.created:\n        create: Reservation",
                        "      order.confirmed:\n        create: Reservation\n"
                        "        copy: {order_id: order_id}\n        emits: [inventory.reserved]\n"
                        "      order.created:\n        create: Reservation")
    assert len(_loops(text)) == 1


def test_a_reaction_when_stops_it() -> None:
    text = (FAIL / "reserved.yaml").read_text(encoding="utf-8")
    text = text.replace("        copy: {order_id: order_id}\n        emits: [inventory.reserved]",
                        "        when: {total: {gt: 0}}\n        copy: {order_id: order_id}\n"
                        "        emits: [inventory.reserved]")
    assert "when: {total" in text
    assert _loops(text) == []


def test_a_state_machine_that_comes_round_does_not_stop_it() -> None:
    text = (PASS / "state_moves_on.yaml").read_text(encoding="utf-8")
    assert _loops(text) == []
    back = text.replace("transitions: {pending: [reserved], reserved: [confirmed]}",
                        "transitions: {pending: [reserved], reserved: [confirmed], "
                        "confirmed: [reserved]}").replace("final: [confirmed]", "final: []")
    [finding] = _loops(back)
    assert "order.confirmed → payment-service reacts → payment.completed" in finding.message


def test_a_move_its_cause_may_not_make_stops_it() -> None:
    text = (PASS / "state_moves_on.yaml").read_text(encoding="utf-8")
    named = text.replace("transitions: {pending: [reserved], reserved: [confirmed]}",
                         "transitions:\n              pending: [reserved]\n"
                         "              reserved: [confirmed]\n"
                         "              confirmed:\n"
                         "                reserved: PUT /orders/{id}")
    named = named.replace("final: [confirmed]", "final: []")
    assert "reserved: PUT /orders/{id}" in named
    assert _loops(named) == []
    # The cause of confirmed -> reserved is the reaction that sets reserved.
    caused = named.replace("reserved: PUT /orders/{id}", "reserved: [inventory.reserved]")
    assert len(_loops(caused)) == 1


def test_a_condition_the_step_decides_itself_stops_nothing() -> None:
    text = (FAIL / "same_state.yaml").read_text(encoding="utf-8")
    assert len(_loops(text)) == 1
    other = text.replace("when: {status: {in: [cancelled]}}", "when: {status: pending}")
    assert _loops(other) == []
