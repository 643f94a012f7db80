"""Tick the template's Validation Checklist from real rule results.

Each rule names the checklist item it enforces (`Rule.checklist`, the item's
text word for word). An item is ticked when no error or warning finding of its
rules remains; info findings are listed but do not untick it. An item no rule
checks is never ticked: the document must not claim what nobody verified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from archgen.findings import Finding, Severity

# docs/template.md, "The Validation Checklist", in the template's order.
TEMPLATE_CHECKLIST = (
    "API Gateway documented with routing and authentication strategy",
    "Service Mesh configured (or justification for not using one)",
    "All microservices cataloged with bounded contexts",
    "Database-per-service pattern followed",
    "Event bus and topics documented",
    "Synchronous and asynchronous communication patterns defined",
    "Service discovery and configuration management specified",
    "Observability stack documented (logging, metrics, tracing)",
    "Resilience patterns implemented (circuit breakers, retries)",
    "Each service has defined SLA and scaling strategy",
)


class ChecklistRule(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def checklist(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    text: str
    ticked: bool
    rules: tuple[str, ...]  # codes of the rules that check this item
    findings: tuple[Finding, ...]  # the findings of those rules, failing ones first

    @property
    def checked(self) -> bool:
        return bool(self.rules)


def tick_checklist(findings: Sequence[Finding], rules: Mapping[str, ChecklistRule],
                   items: Sequence[str] = TEMPLATE_CHECKLIST) -> list[ChecklistItem]:
    """One ChecklistItem per item, in order, from the findings and the rule registry."""
    codes_of: dict[str, list[str]] = {}
    for code, rule in sorted(rules.items()):
        if rule.checklist is not None:
            codes_of.setdefault(rule.checklist, []).append(code)
    out = []
    for text in items:
        codes = tuple(codes_of.get(text, ()))
        mine = sorted((f for f in findings if f.code in codes), key=_order)
        failing = any(f.severity is not Severity.INFO for f in mine)
        out.append(ChecklistItem(text, bool(codes) and not failing, codes, tuple(mine)))
    return out


def _order(finding: Finding) -> tuple[int, str, str, str]:
    return (-finding.severity.rank, finding.code, finding.location.path, finding.message)
