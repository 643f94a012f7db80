"""Every problem in one run: rules check the valid parts of a catalog with schema errors.

The promise under test: no rule finding rests on a part the loader rejected.
A skipped part yields an AG009 notice, references to a skipped service are not
"unknown", and rules that conclude from absence do not run when what they need
was skipped.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archgen.findings import Finding, Pointer
from archgen.validation import validate_text
from tests.rules.helpers import report_of
from tests.rules.test_properties import catalog

_HEAD = "archgen: 1\nsystem: {name: shop}\n"


def _codes(text: str) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in report_of(text).findings:
        out.setdefault(f.code, []).append(f)
    return out


def test_other_services_still_get_their_findings() -> None:
    found = _codes(_HEAD + "services:\n"
                   "  a: {bounded_context: A, nfr: {replicas: 2}}\n"
                   "  b: {bounded_context: B, data_store: {name: db}}\n"
                   "  c: {bounded_context: C, data_store: {name: db}}\n")
    assert [f.location.pointer for f in found["AG011"]] == [("services", "a", "nfr", "replicas")]
    assert [f.location.pointer for f in found["AG401"]] == [("services", "b", "data_store",
                                                             "name")]
    [notice] = found["AG009"]
    assert notice.location.pointer == ("services", "a")
    assert notice.location.span is not None and notice.location.span.line == 4
    assert "1 error (AG011)" in notice.message
    # a is skipped whole: its missing SLA is not reported from a value that was rejected
    assert all(f.location.pointer[:2] != ("services", "a")
               for code, fs in found.items() if code not in ("AG009", "AG011") for f in fs)


def test_reference_to_a_skipped_service_is_not_unknown() -> None:
    found = _codes(_HEAD + "gateway:\n  aggregations:\n    GET /api/v1/s: [b GET /api/v1/x]\n"
                   "services:\n  a: {depends_on: [b, ghost]}\n  b: {nfr: {replicas: 2}}\n")
    assert [f.location.pointer for f in found["AG308"]] == [("services", "a", "depends_on", 1)]
    assert "AG108" not in found
    assert "references to it are not reported as unknown" in found["AG009"][0].message


def test_rules_needing_a_skipped_section_do_not_run() -> None:
    found = _codes(_HEAD + "gateway: {technology: kong, nfr: {replicas: 2}}\n"
                   "communication: {sync: {timeout_ms: -1}}\n"
                   "services:\n  a: {depends_on: [b]}\n  b: {}\n")
    assert "AG100" not in found  # the gateway exists; it is only invalid
    assert "AG700" not in found and "AG702" not in found
    notices = {f.location.pointer: f.message for f in found["AG009"]}
    assert "did not run: AG100" in notices[("gateway",)]
    assert "AG700, AG701, AG702" in notices[("communication",)]
    assert "AG310" not in found and "AG300" in found  # the valid rest is checked


def test_unreadable_format_version_runs_no_rule_and_says_so() -> None:
    found = _codes("archgen: 7\nsystem: {name: shop}\nservices: {a: {}}\n")
    [notice] = found["AG009"]
    assert notice.message.startswith("no rule ran: archgen has 1 error (AG015)")
    assert set(found) == {"AG009", "AG015"}


def test_invalid_system_is_replaced_not_fatal() -> None:
    found = _codes("archgen: 1\nsystem: shop\nservices: {a: {}}\n")
    assert "AG011" in found and "AG300" in found
    assert found["AG009"][0].location.pointer == ("system",)


def test_services_of_the_wrong_type_leave_the_sections_checked() -> None:
    found = _codes(_HEAD + "mesh: {technology: kuma}\nservices: [a, b]\n")
    assert "AG011" in found and "AG202" in found
    assert found["AG009"][0].location.pointer == ("services",)


def test_duplicate_service_is_skipped() -> None:
    found = _codes(_HEAD + "services:\n  a: {}\n  a: {}\n  b: {}\n")
    assert "AG002" in found
    assert {f.location.pointer[:2] for f in found["AG300"]} == {("services", "b")}


def test_skip_notice_can_be_turned_off() -> None:
    from archgen.config import Settings

    text = _HEAD + "services:\n  a: {nfr: {replicas: 2}}\n"
    codes = {f.code for f in report_of(text, Settings(ignore=("AG009",))).findings}
    assert "AG009" not in codes and "AG011" in codes


def test_a_misspelt_section_is_not_reported_missing() -> None:
    found = _codes(_HEAD + "gatway: {technology: kong}\nservices: {a: {}}\n")
    assert "AG010" in found and "AG100" not in found
    assert "did not run: AG100" in found["AG009"][0].message


def test_skip_notice_severity_can_be_raised() -> None:
    from archgen.config import Settings
    from archgen.findings import Severity

    text = _HEAD + "services:\n  a: {nfr: {replicas: 2}}\n"
    report = report_of(text, Settings(severity={"AG009": "warning"}))
    [notice] = [f for f in report.findings if f.code == "AG009"]
    assert notice.severity is Severity.WARNING


# ---------------------------------------------------------------- the property
def _pointers(f: Finding) -> set[Pointer]:
    return {f.location.pointer, *(r.pointer for r in f.related)}


def _rule_findings(data: dict[str, Any]) -> list[Finding]:
    report = validate_text(yaml.safe_dump(data, sort_keys=False), "p.yaml")
    return [f for f in report.findings if not f.code.startswith("AG0")]


# One schema error per part: each makes its part invalid without touching the others.
_BREAKS: dict[str, dict[str, Any]] = {
    "gateway": {"nfr": {"replicas": 2}}, "mesh": {"mtls": "nope"},
    "event_bus": {"replication_factor": -1}, "infrastructure": {"tracing": 5},
    "communication": {"sync": {"timeout_ms": -1}},
}


def _break(data: dict[str, Any], part: Pointer) -> dict[str, Any]:
    broken = copy.deepcopy(data)
    if len(part) == 2:
        broken["services"][part[1]] = {**(broken["services"][part[1]] or {}),
                                       "nfr": {"replicas": 2}}
    else:
        section = str(part[0])
        broken[section] = {**(broken.get(section) or {}), **_BREAKS[section]}
    return broken


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalog, st.data())
def test_breaking_one_part_never_adds_a_finding(data: dict[str, Any],
                                                draw: st.DataObject) -> None:
    """Whatever part is invalid, the findings on the rest are a subset of before.

    Each rule finding on the broken catalog must be one the valid catalog had too
    (same code, at a place that finding pointed to), and none points into the
    broken part.
    """
    before = _rule_findings(data)
    parts: list[Pointer] = [("services", n) for n in sorted(data["services"])]
    part = draw.draw(st.sampled_from([*parts, *((s,) for s in sorted(_BREAKS))]))
    after = _rule_findings(_break(data, part))
    for f in after:
        assert all(p[:len(part)] != part for p in _pointers(f)), f
        if _chain_freed_from_a_cycle(f, before):
            continue
        assert any(b.code == f.code and f.location.pointer in _pointers(b) for b in before), f


def _chain_freed_from_a_cycle(f: Finding, before: list[Finding]) -> bool:
    """A service in a synchronous cycle has no bounded call chain, so AG307 skips it and
    AG310 reports the cycle; cutting out a part of the cycle frees the chain, and its
    latency budget is then checked for the first time. That is a finding revealed, not
    one the broken part caused."""
    if f.code != "AG307":
        return False
    service = f.location.pointer[:2]
    return any(b.code == "AG310" and any(p[:2] == service for p in _pointers(b))
               for b in before)
