"""Diagram rendering time on a synthetic catalog (default 200 services).

    python -m bench.bench_diagrams [N] [--runs 5] [--full]

Prints the median wall time of: building every view; every view in the three
text formats; the three overview views (system, context, events) as SVG; and
both together, the figure the < 3 s target applies to. `--full` also times one
run of every view in every format, PNG included (graphviz-bound: minutes are
expected past a few hundred services).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from archgen.catalog import load_catalog_text
from archgen.generators.diagrams.generator import build_views, render_files
from archgen.model.resolved import ResolvedCatalog
from bench.synth import make_catalog

TARGET_S = 3.0


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _catalog(n: int) -> ResolvedCatalog:
    result = load_catalog_text(make_catalog(n, seed=0), f"synth-{n}.yaml")
    if result.catalog is None:
        raise SystemExit(f"the synthetic catalog did not load: {result.findings[:3]}")
    return result.catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("services", nargs="?", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    catalog = _catalog(args.services)
    views = build_views(catalog)
    overview = [v for v in views if v.name in ("system", "context", "events")]

    def both() -> None:
        render_files(build_views(catalog), ["mermaid", "plantuml", "dot"])
        render_files(overview, ["svg"])

    rows = [
        ("build every view", _median(lambda: build_views(catalog), args.runs)),
        (f"{len(views)} views x mermaid, plantuml, dot",
         _median(lambda: render_files(views, ["mermaid", "plantuml", "dot"]), args.runs)),
        ("system, context, events as SVG", _median(lambda: render_files(overview, ["svg"]),
                                                   args.runs)),
        ("all text formats + overview SVGs", _median(both, args.runs)),
    ]
    if args.full:
        rows.append(("every view, every format (1 run)",
                     _median(lambda: render_files(views, ["png", "svg", "mermaid", "plantuml",
                                                          "dot"]), 1)))
    print(f"{args.services} services, {len(views)} views, median of {args.runs} runs:")
    for label, seconds in rows:
        print(f"  {label:<40} {seconds:7.3f} s")
    verdict = "within" if rows[3][1] < TARGET_S else "OVER"
    print(f"  target < {TARGET_S:.0f} s for text formats + overview SVGs: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
