"""The benchmark's synthetic catalogs are valid and deterministic (no timings here)."""

from __future__ import annotations

import pytest

from archgen.catalog import load_catalog_text
from archgen.findings import Severity
from bench.synth import make_catalog


@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("n", [1, 20, 200])
def test_synthetic_catalog_loads_without_errors(n: int, seed: int) -> None:
    result = load_catalog_text(make_catalog(n, seed), f"synth-{n}-{seed}.yaml")
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert errors == []
    assert result.catalog is not None
    assert len(result.catalog.services) == n


@pytest.mark.parametrize("n", [20, 200])
def test_synthetic_catalog_is_deterministic_per_seed(n: int) -> None:
    assert make_catalog(n, 3) == make_catalog(n, 3)
    assert make_catalog(n, 3) != make_catalog(n, 4)


def test_synthetic_catalog_events_and_dependencies_are_consistent() -> None:
    result = load_catalog_text(make_catalog(200, 1))
    catalog = result.catalog
    assert catalog is not None
    order = list(catalog.services)
    for event in catalog.events.values():
        assert len(event.producers) == 1, event.name
        assert event.consumers, event.name
        assert len(event.topics) == 1, event.name
    for topic in catalog.topics.values():
        producer = catalog.services[catalog.events[topic.events[0]].producers[0]]
        payloads = {p.event: p for p in producer.publishes}
        for name in topic.events:
            assert topic.key in {f.name for f in payloads[name].payload}
    for svc in catalog.services.values():
        assert len(svc.dependencies) <= 3
        for dep in svc.dependencies:
            assert dep.known
            assert order.index(dep.target) < order.index(svc.name)
            callee = catalog.services[dep.target]
            assert svc.nfr is not None and callee.nfr is not None
            assert svc.nfr.availability is not None and callee.nfr.availability is not None
            assert callee.nfr.availability >= svc.nfr.availability
            assert svc.nfr.latency_p95_ms is not None
            assert dep.timeout_ms is not None
            assert dep.timeout_ms * dep.attempts <= svc.nfr.latency_p95_ms
    stores = [s.data_store.name for s in catalog.services.values() if s.data_store]
    assert len(stores) == len(set(stores)) == 200
    tables = [t for s in catalog.services.values() if s.data_store for t in s.data_store.tables]
    assert len(tables) == len(set(tables))


@pytest.mark.parametrize("seed", [0, 7])
def test_synthetic_catalog_has_no_error_findings_under_the_rules(seed: int) -> None:
    from archgen.validation import validate_text

    report = validate_text(make_catalog(200, seed), f"synth-200-{seed}.yaml")
    errors = [f"{f.code} {f.message}" for f in report.findings if f.severity is Severity.ERROR]
    assert errors == []
