"""`archgen diff` on two synthetic catalogs vs validating one (default 2,000 services).

    python -m bench.bench_diff [N] [--runs 3]

Times, in process, median of the runs: validating one catalog (load + rules),
loading one;
loading both catalogs and diffing them, end to end (`run_diff`); and the diff
checks alone on loaded catalogs, for two pairs: a catalog against itself
(nothing changed) and against a catalog of another seed (nearly everything
changed, the worst case for the number of findings).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from archgen.catalog import LoadResult, load_catalog_text
from archgen.diff.engine import diff_catalogs, run_diff
from archgen.validation import validate_text
from bench.synth import make_catalog


def _median(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _end_to_end(old_text: str, new_text: str) -> Callable[[], object]:
    return lambda: run_diff(load_catalog_text(old_text, "old.yaml"),
                            load_catalog_text(new_text, "new.yaml"))


def _checks(old: LoadResult, new: LoadResult) -> Callable[[], object]:
    return lambda: diff_catalogs(old, new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("services", nargs="?", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    old_text, other_text = make_catalog(args.services, seed=0), make_catalog(args.services,
                                                                             seed=1)
    old = load_catalog_text(old_text, "old.yaml")
    same = load_catalog_text(old_text, "new.yaml")
    other = load_catalog_text(other_text, "new.yaml")
    validate_s, _ = _median(lambda: validate_text(old_text, "old.yaml"), args.runs)
    load_s, _ = _median(lambda: load_catalog_text(old_text, "old.yaml"), args.runs)
    rows: list[tuple[str, float, int | None]] = [("validate one catalog", validate_s, None),
                                                 ("load one catalog", load_s, None)]
    for label, text, loaded in (("itself", old_text, same), ("another seed", other_text, other)):
        end_to_end, _ = _median(_end_to_end(old_text, text), args.runs)
        checks, found = _median(_checks(old, loaded), args.runs)
        rows.append((f"diff vs {label}: load both + diff", end_to_end, None))
        rows.append((f"diff vs {label}: checks only", checks,
                     len(found) if isinstance(found, list) else 0))
    print(f"{args.services} services, median of {args.runs} runs:")
    for label, seconds, count in rows:
        extra = f"  ({count} findings)" if count is not None else ""
        print(f"  {label:<36} {seconds:7.3f} s  {seconds / validate_s:5.2f}x validate{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
