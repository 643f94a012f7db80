"""The networkx view: canonical cycles per component, worst call chains."""

from __future__ import annotations

from archgen.catalog import load_catalog_text
from archgen.graph import cycles, sync_graph, worst_chains
from archgen.model.resolved import ResolvedCatalog


def _catalog(services: str) -> ResolvedCatalog:
    result = load_catalog_text(f"archgen: 1\nsystem: {{name: s}}\nservices:\n{services}")
    assert result.catalog is not None, result.findings
    return result.catalog


def test_one_cycle_per_component_rotated_to_smallest_name() -> None:
    catalog = _catalog("  d: {depends_on: [b]}\n  b: {depends_on: [c]}\n  c: {depends_on: [d]}\n"
                       "  x: {depends_on: [y, x]}\n  y: {depends_on: [x]}\n  z: {}\n")
    assert cycles(sync_graph(catalog)) == [["b", "c", "d"], ["x", "y"]]


def test_dense_component_reports_once() -> None:
    names = [f"s{i}" for i in range(8)]
    body = "".join(f"  {n}: {{depends_on: [{', '.join(m for m in names if m != n)}]}}\n"
                   for n in names)
    found = cycles(sync_graph(_catalog(body)))
    assert len(found) == 1 and found[0][0] == "s0" and len(found[0]) == 2


def test_unknown_and_self_dependencies_are_not_edges() -> None:
    graph = sync_graph(_catalog("  a: {depends_on: [a, ghost, b]}\n  b: {}\n"))
    assert sorted(graph.edges) == [("a", "b")]


def test_worst_chain_sums_timeout_times_attempts() -> None:
    catalog = _catalog(
        "  a: {depends_on: {b: {timeout_ms: 100, retries: 1}, c: {timeout_ms: 10}}}\n"
        "  b: {depends_on: {c: {timeout_ms: 50, retries: 2}}}\n  c: {}\n")
    chains = worst_chains(sync_graph(catalog))
    assert chains["a"].services == ("a", "b", "c") and chains["a"].budget_ms == 200 + 150
    assert chains["c"].budget_ms == 0


def test_services_in_cycles_have_no_chain() -> None:
    chains = worst_chains(sync_graph(_catalog("  a: {depends_on: [b]}\n  b: {depends_on: [a]}\n"
                                              "  c: {depends_on: [a]}\n")))
    assert "a" not in chains and "b" not in chains and chains["c"].services == ("c",)
