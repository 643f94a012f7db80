"""Reproduce every table of BENCHMARKS.md, and rewrite it.

    python -m bench.run            # the full run (~20 min on the 2-core machine)
    python -m bench.run --quick    # 100 and 2,000 services, few repeats (development)
    python -m bench.run --only cold_start,validation_scale --output /tmp/B.md

Every command runs in a fresh process; commands that are compared run
interleaved (round 1: A B C, round 2: B C A, ...) rather than in blocks,
because the machine is shared and its load drifts. Tables show medians; wall
time is measured around the process, peak memory is the command's own maximum
resident set (`/usr/bin/time -f %M`, i.e. wait4 of a small parent: a child
forked from this process would report this process's RSS). In-process times
come from bench.worker, which imports first and then starts its clock.

Add a measure: write `def my_measure(ctx: Context) -> Section` and append it
to MEASURES. Helpers: `ctx.bench(cmds, repeats)` runs Cmds interleaved and
returns their Stats; `ctx.goal(...)` records a goal for the summary table;
`ctx.candidate(...)` offers a command to the profiler (the slowest is profiled).
Benchmarks are not tests: nothing here fails on a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, WORK, Context
from bench.measures import MEASURES
from bench.report import find_tools, merge_previous, read_previous, render
from bench.synth import cached_catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="100 and 2,000 services only, few repeats")
    parser.add_argument("--only", help="comma-separated measures: "
                        + ",".join(m.__name__ for m in MEASURES))
    parser.add_argument("--sizes", help="comma-separated catalog sizes for the validation table "
                        "(default 100,2000,10000; --quick: 100,2000)")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--keep-previous", action="store_true",
                        help="with --only: keep the output file's other sections and goals, "
                             "marked with the date they were measured")
    args = parser.parse_args(argv)
    tools, notes = find_tools()
    sizes = tuple(int(x) for x in args.sizes.split(",")) if args.sizes else (
        (100, 2000) if args.quick else (100, 2000, 10_000))
    ctx = Context(args.quick, sizes, tools, notes)
    WORK.mkdir(parents=True, exist_ok=True)
    schema = subprocess.run([tools["archgen"], "schema"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    (WORK / "schema.json").write_text(schema, encoding="utf-8")
    for n in (1, 200, *ctx.sizes):
        cached_catalog(n)
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    load_start = os.getloadavg()
    wanted = set(args.only.split(",")) if args.only else None
    sections = []
    for measure in MEASURES:
        if wanted and measure.__name__ not in wanted:
            continue
        ctx.log(f"== {measure.__name__}")
        sections.append(measure(ctx))
    command = "python -m bench.run" + (" --quick" if args.quick else "") + (
        f" --only {args.only}" if args.only else "") + (
        f" --sizes {args.sizes}" if args.sizes else "")
    previous = read_previous(Path(args.output)) if args.keep_previous else None
    if previous is not None:
        sections = merge_previous(ctx, sections, previous)
        command += " --keep-previous"
    text = render(ctx, sections, started, time.perf_counter() - t0, command,
                  (load_start, os.getloadavg()))
    Path(args.output).write_text(text, encoding="utf-8")
    ctx.log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
