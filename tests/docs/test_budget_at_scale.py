"""A 2,000-service catalog shaped unlike bench's synthetic one still gets a page of at most 15 MB.

Bench's catalog has one-line descriptions and 3-8 endpoints per service; this one
has paragraph-long descriptions, six responsibilities and 24 more endpoints per
service, and 25 more fields per entity: the text alone is several times larger.
Slow: graphviz draws three views of 2,000 services.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from archgen.generators.docs import budget
from bench.synth import make_catalog
from tests.helpers import run_archgen

pytestmark = pytest.mark.slow
SERVICES = 2000
WORDS = ("ledger", "reconciliation", "settlement", "dispatch", "fulfilment", "audit", "consent",
         "retention", "notification", "scheduling", "forecasting", "pricing", "onboarding",
         "escalation")


def wordy_catalog(n: int) -> dict[str, Any]:
    """bench.synth's catalog of `n` services, each made far wordier and wider."""
    data: dict[str, Any] = yaml.safe_load(make_catalog(n, seed=0))
    for i, (name, svc) in enumerate(data["services"].items()):
        text = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(60))
        svc["description"] = f"{name} owns {text}."
        svc["responsibilities"] = [
            f"Keep {WORDS[(i + k) % len(WORDS)]} records consistent across every "
            f"{WORDS[(i + k + 3) % len(WORDS)]} workflow it takes part in" for k in range(6)]
        base = next(iter(svc["endpoints"])).split(" ", 1)[1].split("/{")[0]
        for k in range(24):
            svc["endpoints"][f"GET {base}/{{id}}/facet-{k}"] = (
                f"Read facet {k} of one record with its {WORDS[(i + k) % len(WORDS)]} and "
                f"{WORDS[(i + k + 5) % len(WORDS)]} details, paged and filtered")
        for model in svc["models"].values():
            if isinstance(model, dict) and "id" in model:
                model.update({f"attribute_{k}": "str" for k in range(25)})
    return data


def test_the_page_of_a_wordy_2000_service_catalog_stays_within_15_mb(tmp_path: Path) -> None:
    catalog = tmp_path / "wordy.yaml"
    data = wordy_catalog(SERVICES)
    catalog.write_text(yaml.safe_dump(data, sort_keys=False, width=1000), encoding="utf-8")
    endpoints = sum(len(s["endpoints"]) for s in data["services"].values())
    assert endpoints / SERVICES > 25  # bench's catalog has 3-8 per service

    run = run_archgen("docs", str(catalog), "-o", str(tmp_path / "docs"))
    assert run.code in (0, 1), run.out + run.err  # 1: warnings only, the page is written

    page = (tmp_path / "docs" / "index.html").read_bytes()
    assert len(page) <= budget.PAGE_BUDGET == 15_000_000
    markdown = (tmp_path / "docs" / "architecture.md").read_bytes()
    assert len(markdown) > 10_000_000  # the text alone is two thirds of the budget
    text = page.decode("utf-8")
    for section in ("Architecture Overview", "API Gateway", "Service Mesh", "Microservices",
                    "Event Bus", "Supporting Infrastructure", "Service Catalog",
                    "Communication Patterns", "Validation Checklist", "Findings"):
        assert f">{section}</h" in text, section
    assert 'href="architecture.md"' in text  # what did not fit is pointed at, not dropped
    system = text.split('id="diagram-system"', 1)[1].split("</figure>", 1)[0]
    assert "<svg" in system  # the picture stays: the details gave way to it
