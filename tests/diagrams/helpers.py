"""Catalogs for the diagram tests (kept apart from the tests themselves)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from archgen.catalog import load_catalog, load_catalog_text
from archgen.model.resolved import ResolvedCatalog
from tests.helpers import ECOMMERCE

# Free-text fields are where hostile text can reach a diagram: names are DNS labels.
HOSTILE_CONTEXT = '"]; click A call evil() %% </svg><script>alert(1)</script> ${x} \\ @enduml'
HOSTILE_CATALOG = f"""
archgen: 1
system:
  name: evil
  title: 'Evil "title" <b>bold</b> \\\\ ~~wave~~ --strike-- $x'
  description: "line one\\nline two"
gateway: {{technology: kong}}
services:
  a-service:
    bounded_context: {HOSTILE_CONTEXT!r}
    technology: {{language: python, framework: fastapi}}
    publishes:
      thing.happened: {{when: now, payload: {{id: uuid}}}}
    depends_on:
      b-service: {{timeout_ms: 100}}
  b-service:
    bounded_context: "Line\\nbreak | pipe `tick` *star* _under_"
    consumes:
      thing.happened: {{action: 'react "quoted"'}}
event_bus:
  technology: kafka
  topics:
    things: {{events: [thing.happened], dead_letter: true}}
"""


@cache
def ecommerce() -> ResolvedCatalog:
    catalog = load_catalog(ECOMMERCE).catalog
    assert catalog is not None
    return catalog


@cache
def hostile() -> ResolvedCatalog:
    result = load_catalog_text(HOSTILE_CATALOG, "hostile.yaml")
    assert result.catalog is not None, result.findings
    return result.catalog


def synthetic(n: int) -> ResolvedCatalog:
    from bench.synth import make_catalog

    result = load_catalog_text(make_catalog(n, seed=0), f"synth-{n}.yaml")
    assert result.catalog is not None
    return result.catalog


TRAIN_TICKET = Path(__file__).resolve().parents[1] / "fixtures" / "train-ticket.yaml"


@cache
def train_ticket() -> ResolvedCatalog:
    """Train-Ticket's 45 services: the shape of a real system, written by hand."""
    catalog = load_catalog(TRAIN_TICKET).catalog
    assert catalog is not None
    return catalog
