"""`archgen export structurizr`: a DSL workspace whose structure Structurizr can parse."""

from __future__ import annotations

import re

from archgen.catalog import load_catalog_text
from archgen.generators.exports.structurizr import render, text
from tests.diagrams.helpers import ecommerce, hostile
from tests.helpers import ECOMMERCE, run_archgen

_ASSIGN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*) = (person|softwareSystem|container) ")
_REL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*) -> ([A-Za-z_][A-Za-z0-9_]*) ")


def _check_structure(dsl: str) -> None:
    depth = 0
    defined: set[str] = set()
    names: list[str] = []
    for line in dsl.splitlines():
        stripped = line.strip()
        assert stripped.count('"') % 2 == 0, line
        if stripped == "}":
            depth -= 1  # closing braces stand on their own line (DSL rule)
            assert depth >= 0
            continue
        if stripped.endswith("{"):
            depth += 1
        if match := _ASSIGN.match(line):
            assert match.group(1) not in defined, line
            defined.add(match.group(1))
            names.append(line.split('"')[1])
        if match := _REL.match(line):  # no forward references (DSL rule)
            assert {match.group(1), match.group(2)} <= defined, line
    assert depth == 0
    assert len(names) == len(set(names)), "element names must be unique"


def test_workspace_structure() -> None:
    dsl = render(ecommerce())
    _check_structure(dsl)
    assert 'group "Order Management" {' in dsl
    assert 'svc_order_service -> svc_payment_service "Calls" "http, 60 ms"' in dsl
    assert 'svc_order_service -> topic_orders "Publishes order.cancelled, ' in dsl
    assert "systemContext system" in dsl and "container system" in dsl


def test_no_gateway_route_to_a_public_service_without_endpoints() -> None:
    catalog = load_catalog_text("archgen: 1\nsystem: {name: shop}\nservices:\n  worker: {}\n"
                                "  api: {endpoints: {GET /api/v1/x: X}}\n").catalog
    assert catalog is not None
    dsl = render(catalog)
    assert "gateway -> svc_api " in dsl
    assert "gateway -> svc_worker " not in dsl


def test_hostile_text_cannot_break_the_workspace() -> None:
    dsl = render(hostile())
    _check_structure(dsl)
    assert "${x}" not in dsl
    assert text('a "b" ${c} \\ d\ne') == "\"a 'b' $ {c} / d e\""


def test_export_command_prints_the_workspace() -> None:
    result = run_archgen("export", "structurizr", str(ECOMMERCE))
    assert result.code == 0
    assert result.out == render(ecommerce())
