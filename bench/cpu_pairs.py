"""Paired, alternating CPU-time runs of regeneration against `archgen validate`.

    python -m bench.cpu_pairs CATALOG OUT [--runs 7] [--only KINDS]

On a machine shared by other work, wall time says more about the neighbours than
about archgen; the CPU time the kernel charges a finished process (its children,
ruff included) does not. Each round runs `validate`, a no-op `generate` and a
one-service change (`bench.generation.one_service_change`, toggled back and forth),
in an order rotated every round; the ratios are medians of the per-round ratios.
OUT must hold a generation of CATALOG already (this script does not time that).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bench.generation import one_service_change


def cpu_seconds(argv: list[str]) -> tuple[float, str]:
    """The user + system CPU time of one command and its children; its stdout."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    out = proc.stdout.read().decode("utf-8", "replace")
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu_pairs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("catalog", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", help="the kinds passed to `generate --only`")
    parser.add_argument("--no-change", action="store_true",
                        help="leave the one-service change out (validate and no-op only)")
    args = parser.parse_args(argv)
    archgen = [sys.executable, "-m", "archgen"]
    text = args.catalog.read_text(encoding="utf-8")
    changed, service = one_service_change(text)
    state = {"next": changed}
    only = ["--only", args.only] if args.only else []
    gen = [*archgen, "generate", str(args.catalog), "-o", str(args.out), *only]

    def restore() -> None:  # the no-op runs on whatever the last generate wrote
        args.catalog.write_text(text if state["next"] is changed else changed,
                                encoding="utf-8")

    def flip() -> None:
        args.catalog.write_text(state["next"], encoding="utf-8")
        state["next"] = text if state["next"] is changed else changed

    cmds: dict[str, tuple[Callable[[], None] | None, list[str]]] = {
        "validate": (None, [*archgen, "validate", str(args.catalog)]),
        "no-op generate": (restore, gen),
        "one-service change": (flip, gen),
    }
    if args.no_change:
        del cmds["one-service change"]
    times: dict[str, list[float]] = {k: [] for k in cmds}
    last: dict[str, str] = {}
    labels = list(cmds)
    for r in range(args.runs):
        for label in labels[r % len(labels):] + labels[:r % len(labels)]:
            prepare, command = cmds[label]
            if prepare is not None:
                prepare()
            cpu, out = cpu_seconds(command)
            times[label].append(cpu)
            last[label] = out.strip().splitlines()[-1] if out.strip() else ""
            print(f"[{r + 1}/{args.runs}] {label}: {cpu:.2f} s CPU", file=sys.stderr)
    restore()
    print(f"{args.runs} rounds, CPU s (user + system, children included); change: {service}")
    print("| command | median CPU s | range | vs validate (median of pairs) | last summary |")
    print("|---|---|---|---|---|")
    for label, xs in times.items():
        pairs = [x / v for x, v in zip(xs, times["validate"], strict=True)]
        print(f"| {label} | {statistics.median(xs):.2f} | {min(xs):.2f}-{max(xs):.2f} | "
              f"{statistics.median(pairs):.2f}x | {last[label][:80]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
