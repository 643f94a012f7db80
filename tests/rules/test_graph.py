"""The graph views: canonical cycles per component, worst call chains, and networkx loaded
only for a graph with a cycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from archgen.catalog import load_catalog_text
from archgen.graph import acyclic, cycles, edges, knots, sync_graph, worst_chains
from archgen.model.resolved import ResolvedCatalog

BLUEPRINT = Path(__file__).resolve().parents[2] / "blueprints" / "ecommerce" / "catalog.yaml"


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
    assert sorted(edges(graph)) == [("a", "b")]


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


adjacency = st.dictionaries(st.integers(0, 7), st.dictionaries(st.integers(0, 7), st.none(),
                                                             max_size=3), max_size=8)


@given(adjacency)
def test_knots_and_acyclic_agree_with_networkx(graph: dict[int, dict[int, None]]) -> None:
    full = {**{t: {} for targets in graph.values() for t in targets}, **graph}
    reference: nx.DiGraph[int] = nx.DiGraph()
    reference.add_nodes_from(full)
    reference.add_edges_from((a, b) for a, targets in full.items() for b in targets)
    assert acyclic(full) == nx.is_directed_acyclic_graph(reference)
    expected = sorted(sorted(c) for c in nx.strongly_connected_components(reference)
                      if len(c) > 1 or reference.has_edge(min(c), min(c)))
    assert sorted(sorted(k) for k in knots(full)) == expected


def test_validating_an_acyclic_catalog_does_not_import_networkx() -> None:
    """networkx costs more to import than the rest of validating a small catalog."""
    script = ("import sys\nfrom archgen.findings import Severity\n"
              "from archgen.validation import validate_file\n"
              f"report = validate_file({str(BLUEPRINT)!r})\n"
              "assert report.count(Severity.ERROR) == 0, report.findings\n"
              "print('networkx' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False", done.stderr


def test_a_cycle_is_still_taken_apart_by_networkx() -> None:
    graph = sync_graph(_catalog("  a: {depends_on: [b]}\n  b: {depends_on: [c]}\n"
                                "  c: {depends_on: [a]}\n  d: {depends_on: [a]}\n"))
    assert not acyclic(graph)
    assert knots(graph) == [{"a", "b", "c"}]
    assert cycles(graph) == [["a", "b", "c"]]
