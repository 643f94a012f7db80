"""Generation at scale, regeneration and diff.

Every generator kind registered when the run starts (`archgen.generators.GENERATORS`)
is measured: kinds that land later (services, deploy outputs) join the tables by
themselves.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from bench.common import (
    ROOT,
    WORK,
    Cmd,
    Context,
    Sample,
    Section,
    Stats,
    archgen_kinds,
    fresh_dir,
    ratio,
    s,
    show_cmd,
    spread,
    table,
    tree_facts,
)
from bench.synth import cached_catalog

SCALE_SIZES = (200, 2000)
SCALE_GOAL_S = 30.0
_COUNT = re.compile(r"(\d+) (created|updated|deleted|unchanged)")
_CHANGE = re.compile(r"^(create|update|delete) (\S+)", re.MULTILINE)


def summary_counts(stdout: str) -> dict[str, int]:
    """The counts of `archgen generate`'s summary line: {'created': 3, 'unchanged': 9, ...}."""
    lines = [ln for ln in stdout.strip().splitlines() if " in " in ln]
    found = _COUNT.findall(lines[-1]) if lines else []
    return {word: int(n) for n, word in found}


def changed_paths(stdout: str) -> list[str]:
    """The paths `archgen generate` reports as created, updated or deleted."""
    return [path for _, path in _CHANGE.findall(stdout)]


def one_service_change(text: str) -> tuple[str, str]:
    """The catalog text with one field of the first service's first model changed.

    Returns (new text, the service's name). The change is the kind a pull request
    makes: one `max_length` bumped, nothing renamed.
    """
    start = text.index("\nservices:\n") + len("\nservices:\n")
    name = text[start:text.index(":", start)].strip()
    at = text.index("max_length: ", start)
    end = text.index("}", at)
    value = int(text[at + len("max_length: "):end])
    return text[:at] + f"max_length: {value + 1}" + text[end:], name


def _facts_after(out: Path) -> Callable[[Sample], None]:
    def after(sample: Sample) -> None:
        files, _, size = tree_facts(out, skip=(".archgen-manifest.json",))
        sample.extra["files"] = float(files)
        sample.extra["bytes"] = float(size)
    return after


def _generate(ctx: Context, label: str, catalog: Path, out: Path, kinds: list[str] | None,
              fresh: bool = True) -> Cmd:
    argv = [ctx.tools["archgen"], "generate", str(catalog), "-o", str(out)]
    if kinds is not None:
        argv += ["--only", ",".join(kinds)]
    return Cmd(label, argv, prepare=fresh_dir(out) if fresh else None,
               after=_facts_after(out), once_over_s=SCALE_GOAL_S)


def _scale_row(n: int, what: str, x: Stats) -> list[str]:
    if not x.ok:
        return [f"{n:,}", what, f"failed: {x.failure}", "", "", "", "", ""]
    files = x.extra("files") or 0.0
    mb = (x.extra("bytes") or 0.0) / 1e6
    rate = files / x.wall
    return [f"{n:,}", what, s(x.wall), spread(x), f"{files:,.0f}",
            f"{rate:,.0f}" if rate >= 10 else f"{rate:.2f}",
            s(x.rss, 0), f"{mb:.1f}"]


def generation_scale(ctx: Context) -> Section:
    """Every kind at 200 and 2,000 services: time, files/s, peak RSS, output size."""
    kinds = archgen_kinds(ctx.py)
    rows: list[list[str]] = []
    whole: dict[int, Stats] = {}
    for n in SCALE_SIZES:
        catalog = cached_catalog(n)
        cmds = [_generate(ctx, f"all kinds@{n}", catalog, WORK / f"scale-{n}-all", None)]
        if n == SCALE_SIZES[0]:  # one kind at a time, where the time goes (small catalog)
            cmds += [_generate(ctx, f"{k}@{n}", catalog, WORK / f"scale-{n}-{k}", [k])
                     for k in kinds]
        st = ctx.bench(cmds, ctx.repeats(1, 3) if n > 500 else ctx.repeats(2, 3))
        whole[n] = st[f"all kinds@{n}"]
        for c in cmds:
            kind = c.label.split("@")[0]
            what = "every kind" if kind == "all kinds" else f"`--only {kind}`"
            rows.append(_scale_row(n, what, st[c.label]))
        ctx.candidate(whole[n])
    big = whole[SCALE_SIZES[-1]]
    ctx.goal(f"`archgen generate`, every kind, {SCALE_SIZES[-1]:,} services",
             f"<= {SCALE_GOAL_S:.0f} s",
             f"{s(big.wall)} s" if big.ok else f"failed: {big.failure}",
             big.wall <= SCALE_GOAL_S if big.ok else None)
    body = table(["services", "kinds", "median s", "range s", "files", "files/s",
                  "peak RSS MB", "output MB"], rows)
    body += (f"\n\nKinds registered in this run: {', '.join(f'`{k}`' for k in kinds)}. "
             "Each run writes into an empty folder; `files` and `output MB` leave out the "
             "manifest. A run over 30 s is not repeated (the machine is shared).\n")
    return Section("generation_scale", "Generation at scale", body)


def regeneration(ctx: Context) -> Section:
    """No-op generate vs validate, and a one-service change, at 2,000 services."""
    n = SCALE_SIZES[-1]
    base = cached_catalog(n)
    text = base.read_text(encoding="utf-8")
    changed, service = one_service_change(text)
    catalog = WORK / f"regen-{n}.yaml"
    catalog.write_text(text, encoding="utf-8")
    out = WORK / f"regen-{n}"
    shutil.rmtree(out, ignore_errors=True)
    ctx.log(f"  generating {out} once (untimed)")
    subprocess.run([ctx.tools["archgen"], "generate", str(catalog), "-o", str(out)], cwd=ROOT,
                   capture_output=True, check=False)
    toggle = {"next": changed}

    def flip() -> None:  # every run is a one-service change: to the variant, then back
        catalog.write_text(toggle["next"], encoding="utf-8")
        toggle["next"] = text if toggle["next"] is changed else changed

    def restore() -> None:
        catalog.write_text(text if toggle["next"] is changed else changed, encoding="utf-8")

    gen = [ctx.tools["archgen"], "generate", str(catalog), "-o", str(out)]
    validate = Cmd("validate", [ctx.tools["archgen"], "validate", str(catalog)], ok_codes=(0, 1))
    noop = Cmd("no-op generate", gen, prepare=restore)
    one = Cmd("one-service change", gen, prepare=flip, once_over_s=120.0)
    st = ctx.bench([validate, noop], ctx.repeats(2, 5))
    st.update(ctx.bench([one], ctx.repeats(2, 4)))
    return _regeneration_section(ctx, n, service, st)


def _regeneration_section(ctx: Context, n: int, service: str, st: dict[str, Stats]) -> Section:
    v, noop, one = st["validate"], st["no-op generate"], st["one-service change"]
    rows = []
    for x in (v, noop, one):
        if not x.ok:
            rows.append([f"`{show_cmd(x.argv)}` ({x.label})", f"failed: {x.failure}", "", "",
                         "", ""])
            continue
        counts = summary_counts(x.good[-1].stdout) if x is not v else {}
        written = sum(counts.get(k, 0) for k in ("created", "updated", "deleted"))
        rows.append([f"{x.label}: `{show_cmd(x.argv)}`", s(x.wall), spread(x), s(x.rss, 0),
                     "-" if x is v else f"{written:,} of {sum(counts.values()):,}",
                     ratio(x.wall, v.wall)])
    ctx.goal(f"no-op `archgen generate` at {n:,} services vs `archgen validate`", "<= 1.5x",
             ratio(noop.wall, v.wall), noop.wall <= 1.5 * v.wall if noop.ok and v.ok else None)
    note = ""
    if one.ok:
        paths = changed_paths(one.good[-1].stdout)
        own = [p for p in paths if service in p]
        others = [p for p in paths if p not in own]
        ctx.goal(f"one-service change at {n:,} services rewrites only that service's files",
                 "0 other files", f"{len(own)} own, {len(others)} other",
                 not others and bool(own))
        note = (f"\nThe change: one `max_length` in `{service}`'s first model, toggled back and "
                f"forth between runs. Rewritten by the last run: {len(own)} file(s) of "
                f"`{service}`" + (f" and {len(others)} other(s): "
                                  + ", ".join(f"`{p}`" for p in others[:8])
                                  + (" ..." if len(others) > 8 else "") if others else "")
                + ".\n")
    body = table(["command", "median s", "range s", "peak RSS MB", "files written",
                  "vs validate"], rows) + "\n" + note
    return Section("regeneration", f"Regeneration at {n:,} services", body)


def diff_scale(ctx: Context) -> Section:
    """`archgen diff` of two 2,000-service catalogs vs `archgen validate` of one."""
    n = SCALE_SIZES[-1]
    header = ["command", "median s", "range s", "peak RSS MB", "vs validate"]
    if not ctx.archgen_has("diff"):
        return Section("diff_scale", f"Diff at {n:,} services", table(header, [
            ["`archgen diff`", "not measured: command missing", "", "", ""]]))
    base = cached_catalog(n)
    changed, _ = one_service_change(base.read_text(encoding="utf-8"))
    variant = WORK / f"diff-{n}-changed.yaml"
    variant.write_text(changed, encoding="utf-8")
    other = cached_catalog(n, seed=1)
    archgen = ctx.tools["archgen"]
    cmds = [Cmd("validate", [archgen, "validate", str(base)], ok_codes=(0, 1)),
            Cmd("diff, one service changed", [archgen, "diff", str(base), str(variant)],
                ok_codes=(0, 1)),
            Cmd("diff, another catalog (seed 1)", [archgen, "diff", str(base), str(other)],
                ok_codes=(0, 1))]
    st = ctx.bench(cmds, ctx.repeats(2, 5))
    v = st["validate"]
    rows = [[f"{x.label}: `{show_cmd(x.argv)}`", s(x.wall), spread(x), s(x.rss, 0),
             ratio(x.wall, v.wall)] if x.ok else
            [f"{x.label}: `{show_cmd(x.argv)}`", f"failed: {x.failure}", "", "", ""]
            for x in st.values()]
    for x in st.values():
        ctx.candidate(x)
    return Section("diff_scale", f"Diff at {n:,} services", table(header, rows))
