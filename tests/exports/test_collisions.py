"""Every entity and element an export declares is declared once, and every
reference names one: no two catalog things merge into one."""

from __future__ import annotations

import re
from collections import Counter

from archgen.catalog import load_catalog_text
from archgen.generators.exports import backstage, structurizr
from archgen.model.resolved import ResolvedCatalog

LONG = "a" * 55 + "-long"  # 60 characters shared, then -x / -y
CATALOG = f"""\
archgen: 1
system: {{name: shop}}
services:
  {LONG}-x:
    bounded_context: Order Management
    data_store: {{type: relational, technology: postgresql, name: orders}}
    publishes: {{order.created: {{when: now}}}}
  {LONG}-y:
    bounded_context: order-management
    data_store: {{type: relational, technology: postgresql, name: orders}}
  billing-service:
    bounded_context: Order_Management!
    data_store: {{type: relational, technology: postgresql, name: billing-db}}
event_bus:
  technology: kafka
  topics:
    orders: {{events: [order.created]}}
"""


def _catalog() -> ResolvedCatalog:
    result = load_catalog_text(CATALOG, "c.yaml")
    assert result.catalog is not None, result.findings
    return result.catalog


def test_backstage_entities_are_unique_and_every_reference_resolves() -> None:
    entities = backstage.entities(_catalog())
    keys = [(e["kind"].lower(), e["metadata"]["name"]) for e in entities]
    assert not [k for k, n in Counter(keys).items() if n > 1], keys
    domains = [e for e in entities if e["kind"] == "Domain"]
    assert len(domains) == 3  # three contexts that differ only in punctuation
    names = set(keys)
    for entity in entities:
        spec = entity["spec"]
        for ref in spec.get("dependsOn", []) + spec.get("dependencyOf", []):
            kind, name = ref.split(":")
            assert (kind, name) in names, ref
        label = entity["metadata"].get("labels", {}).get(backstage.DOMAIN_LABEL)
        if label:
            assert ("domain", label) in names
    resources = [e for e in entities if e["kind"] == "Resource"]
    assert len(resources) == 3  # the shared store once, billing-db, the topic
    shared = next(r for r in resources if r["spec"].get("type") == "database"
                  and len(r["spec"]["dependencyOf"]) == 2)
    assert shared["metadata"]["name"] != "orders" or not any(
        r["spec"]["type"] == "topic" and r["metadata"]["name"] == "orders" for r in resources)


def test_structurizr_declares_each_identifier_once() -> None:
    dsl = structurizr.render(_catalog())
    declared = re.findall(r"^\s*(\w+) = ", dsl, flags=re.MULTILINE)
    assert len(declared) == len(set(declared)), Counter(declared).most_common(3)
    assert len([d for d in declared if d.startswith("svc_")]) == 3
    referenced = set(re.findall(r"^\s*(\w+) -> (\w+)", dsl, flags=re.MULTILINE))
    for source, target in referenced:
        assert source in {*declared, "clients"} and target in declared, (source, target)
