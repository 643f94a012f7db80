"""The measures of BENCHMARKS.md: one function each, listed in MEASURES.

Add a measure: write `def my_measure(ctx: Context) -> Section` and append it to MEASURES."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from bench.common import (
    BENCH,
    PROFILE_MAX_S,
    PROFILE_SMALL,
    PROFILES,
    ROOT,
    RUN_TIMEOUT_S,
    WORK,
    Cmd,
    Context,
    Section,
    Stats,
    file_facts,
    files_after,
    fresh_dir,
    ratio,
    s,
    show_cmd,
    spread,
    table,
)
from bench.generation import diff_scale, generation_scale, regeneration
from bench.jhipster import generation_vs_jhipster
from bench.running import running_system
from bench.synth import cached_catalog


def cold_start(ctx: Context) -> Section:
    """1. Cold start."""
    minimal = ROOT / "blueprints" / "minimal" / "catalog.yaml"
    schema = WORK / "schema.json"
    cmds = [
        Cmd("python -c pass", [ctx.py, "-c", "pass"]),
        Cmd("archgen --version", [ctx.tools["archgen"], "--version"]),
        Cmd("check-jsonschema --version", [ctx.tools["check-jsonschema"], "--version"]),
        Cmd("archgen validate (minimal blueprint)",
            [ctx.tools["archgen"], "validate", str(minimal)], ok_codes=(0, 1)),
        Cmd("check-jsonschema (minimal blueprint, archgen schema)",
            [ctx.tools["check-jsonschema"], "--schemafile", str(schema), str(minimal)]),
        Cmd("archgen --help (typer, every command imported)",
            [ctx.tools["archgen"], "--help"]),
    ]
    shim = ctx.tools.get("archgen-shim")
    if shim:
        cmds.append(Cmd("archgen --version via the pyenv shim", [shim, "--version"]))
    st = ctx.bench(cmds, ctx.repeats(5, 15), warmup=1)
    base = st["python -c pass"].wall
    rows = [[f"`{show_cmd(x.argv)}`" if x.ok else f"`{show_cmd(x.argv)}` ({x.failure})",
             s(x.wall), spread(x), s(x.rss, 0), ratio(x.wall, base)] for x in st.values()]
    version = st["archgen --version"]
    ctx.goal("`archgen --version` cold start", "<= 0.10 s", f"{s(version.wall)} s",
             version.ok and version.wall <= 0.10)
    note = ""
    if shim:
        extra = st["archgen --version via the pyenv shim"].wall - version.wall
        note = (f"\nThe console scripts on PATH are pyenv shims (`{shim}`): a shim is a bash "
                f"script that runs `pyenv exec`, adding about {s(extra)} s to every call. "
                f"The rows above run the real scripts in `{Path(ctx.py).parent}` directly; "
                "users of a virtualenv or pipx get those figures.\n")
    body = (table(["command", "median s", "range s", "peak RSS MB", "vs python -c pass"], rows)
            + "\n" + note)
    return Section("cold_start", "Cold start", body)


def validation_scale(ctx: Context) -> Section:
    """2. Validation scale: floor, archgen, check-jsonschema on the same file."""
    schema = WORK / "schema.json"
    rows: list[list[str]] = []
    summary: list[list[str]] = []
    per_size: dict[int, dict[str, Stats]] = {}
    facts: dict[int, tuple[int, float]] = {}
    for n in ctx.sizes:
        catalog = cached_catalog(n)
        facts[n] = file_facts(catalog)
        ctx.log(f"  {n} services: {facts[n][0]:,} lines, {facts[n][1]:.1f} MB")
        cmds = [
            ctx.worker("floor", "floor", catalog),
            ctx.worker("load", "load", catalog),
            ctx.worker("validate-inproc", "validate", catalog),
            Cmd("archgen", [ctx.tools["archgen"], "validate", str(catalog)], ok_codes=(0, 1)),
            Cmd("check-jsonschema",
                [ctx.tools["check-jsonschema"], "--schemafile", str(schema), str(catalog)]),
        ]
        if n < 10_000:  # what the garbage collector costs the floor (informative)
            cmds.insert(1, ctx.worker("floor-nogc", "floor-nogc", catalog))
        repeats = ctx.repeats(3, 7) if n <= 100 else ctx.repeats(2, 5) if n <= 2000 else 3
        stats = {k.split("@")[0]: v for k, v in ctx.bench(
            [Cmd(f"{c.label}@{n}", c.argv, c.ok_codes) for c in cmds], repeats,
            warmup=1 if n <= 100 else 0).items()}
        per_size[n] = stats
        floor = stats["floor"]
        names = {
            "floor": "CSafeLoader load (the floor)",
            "floor-nogc": "CSafeLoader load, gc disabled",
            "load": "archgen `load_catalog` (in-process worker)",
            "validate-inproc": "archgen `validate_file`, all rules (in-process worker)",
            "archgen": "`archgen validate` (all rules)",
            "check-jsonschema": "`check-jsonschema --schemafile <archgen schema>`",
        }
        for key, label in names.items():
            if key not in stats:
                continue
            x = stats[key]
            if not x.ok:
                rows.append([f"{n:,}", label, f"failed: {x.failure}", "", "", "", ""])
                continue
            rows.append([f"{n:,}", label, s(x.wall), spread(x), s(x.inproc), s(x.rss, 0),
                         ratio(x.wall, floor.wall)])
        if stats["archgen"].ok:
            first = stats["archgen"].good[0]
            last = (first.stdout.strip().splitlines() or ["no output"])[-1]
            ctx.notes.append(f"`archgen validate` on the {n:,}-service catalog exited "
                             f"{first.code}: {last}")
        summary.append([
            f"{n:,}", f"{facts[n][0]:,}", f"{facts[n][1]:.1f}",
            ratio(stats["archgen"].wall, floor.wall),
            ratio(stats["load"].inproc, floor.inproc),
            ratio(stats["validate-inproc"].inproc, floor.inproc),
            ratio(stats["check-jsonschema"].wall, stats["archgen"].wall),
        ])
        ctx.candidate(stats["archgen"])
    body = table(["services", "measure", "median wall s", "range s", "in-process s",
                  "peak RSS MB", "wall vs floor"], rows)
    body += "\n\nRatios (medians):\n\n" + table(
        ["services", "lines", "MB", "archgen validate / floor (commands)",
         "load_catalog / floor (in-process)", "validate_file / floor (in-process)",
         "check-jsonschema / archgen validate"], summary)
    if 2000 in per_size:
        st = per_size[2000]
        a, f, c = st["archgen"], st["floor"], st["check-jsonschema"]
        ctx.goal("`archgen validate` at 2,000 services vs the CSafeLoader floor",
                 "<= 2x", f"{ratio(a.wall, f.wall)} (commands); in-process load "
                 f"{ratio(st['load'].inproc, f.inproc)}",
                 (a.wall <= 2 * f.wall) if a.ok and f.ok else None)
        ctx.goal("`archgen validate` vs check-jsonschema at 2,000 services", ">= 5x faster",
                 f"{ratio(c.wall, a.wall)} faster",
                 (c.wall >= 5 * a.wall) if a.ok and c.ok else None)
    if 2000 in per_size and 10_000 in per_size:
        a2, a10 = per_size[2000]["archgen"], per_size[10_000]["archgen"]
        l2, l10 = per_size[2000]["load"], per_size[10_000]["load"]
        scale = [["`archgen validate`", s(a2.wall), s(a10.wall), ratio(a10.wall, a2.wall)],
                 ["`load_catalog` in-process", s(l2.inproc), s(l10.inproc),
                  ratio(l10.inproc, l2.inproc)]]
        for key, label in (("floor", "CSafeLoader floor (in-process)"),
                           ("check-jsonschema", "check-jsonschema")):
            x2, x10 = per_size[2000][key], per_size[10_000][key]
            v2 = x2.inproc if key == "floor" else x2.wall
            v10 = x10.inproc if key == "floor" else x10.wall
            scale.append([label, s(v2), s(v10), ratio(v10, v2)])
        body += "\n\nScaling from 2,000 to 10,000 services (5x the services):\n\n" + table(
            ["measure", "2,000 s", "10,000 s", "10,000 / 2,000"], scale)
        ctx.goal("10,000 services vs 2,000 (`archgen validate`)", "<= 5.5x",
                 ratio(a10.wall, a2.wall),
                 (a10.wall <= 5.5 * a2.wall) if a2.ok and a10.ok else None)
    elif 10_000 not in ctx.sizes:
        ctx.goal("10,000 services vs 2,000 (`archgen validate`)", "<= 5.5x",
                 "not measured (--quick)", None)
    body += ("\n\nThe same synthetic catalog (seed 0, `python -m bench.synth N`) is given to "
             "every tool. check-jsonschema reads the schema from a file written once by "
             "`archgen schema` (not `<(archgen schema)`, which would add archgen's start-up to "
             "its time). \"in-process\" is the time inside a warm interpreter after imports "
             "(bench/worker.py); wall is the whole command, start-up included.")
    return Section("validation_scale", "Validation at scale", body)


def specs_and_docs(ctx: Context) -> Section:
    """3. `archgen generate` and `archgen docs` on the 2,000-service catalog."""
    n = 2000
    catalog = cached_catalog(n)
    cmds: list[Cmd] = []
    missing: list[str] = []
    for command in ("generate", "docs"):
        if not ctx.archgen_has(command):
            missing.append(command)
            continue
        out = WORK / f"{command}-{n}"
        cmds.append(Cmd(f"archgen {command}", [ctx.tools["archgen"], command, str(catalog),
                                               "-o", str(out)],
                        prepare=fresh_dir(out), after=files_after(out)))
    rows: list[list[str]] = []
    if cmds:
        st = ctx.bench(cmds, ctx.repeats(1, 3))
        for c in cmds:
            x = st[c.label]
            if not x.ok:
                rows.append([f"`{show_cmd(x.argv)}`", f"failed: {x.failure}", "", "", "", ""])
                continue
            files = x.extra("files") or 0
            rate = files / x.wall if x.wall else 0.0
            rows.append([f"`{show_cmd(x.argv)}`", s(x.wall), spread(x), f"{files:.0f}",
                         f"{rate:.0f}" if rate >= 10 else f"{rate:.2f}", s(x.rss, 0)])
            ctx.candidate(x)
    rows += [[f"`archgen {m}`", "not available yet", "", "", "", ""] for m in missing]
    body = table(["command (2,000 services)", "median s", "range s", "files", "files/s",
                  "peak RSS MB"], rows)
    return Section("specs_and_docs", "Specs and docs at scale", body)


def fastapi_codegen(ctx: Context) -> Section:
    """3b. One service: archgen's output vs fastapi-codegen on the OpenAPI archgen emits."""
    codegen = ctx.tools.get("fastapi-codegen")
    header = ["command (one service)", "median s", "range s", "files", "peak RSS MB"]
    if not ctx.archgen_has("generate"):
        return Section("fastapi_codegen", "One service: archgen vs fastapi-codegen",
                       table(header, [["`archgen generate`", "not available yet", "", "", ""]]))
    catalog = cached_catalog(1)
    spec_dir = WORK / "one-service-spec"
    shutil.rmtree(spec_dir, ignore_errors=True)
    subprocess.run([ctx.tools["archgen"], "generate", str(catalog), "-o", str(spec_dir)],
                   cwd=ROOT, capture_output=True, check=False)
    specs = sorted(p for p in spec_dir.rglob("*.yaml") if "openapi" in p.parts
                   and "gateway" not in p.name)
    archgen_out = WORK / "one-service-archgen"
    cmds = [Cmd("archgen generate (1-service catalog)",
                [ctx.tools["archgen"], "generate", str(catalog), "-o", str(archgen_out)],
                prepare=fresh_dir(archgen_out), after=files_after(archgen_out))]
    note = ""
    if codegen and specs:
        spec = WORK / "one-service-openapi.yaml"
        shutil.copyfile(specs[0], spec)
        fc_out = WORK / "one-service-fastapi-codegen"
        cmds.append(Cmd("fastapi-codegen", [codegen, "--input", str(spec), "--output",
                                            str(fc_out)],
                        prepare=fresh_dir(fc_out), after=files_after(fc_out)))
        note = (f"\nfastapi-codegen reads `{specs[0].relative_to(spec_dir)}` as archgen "
                "emitted it for the one service of `python -m bench.synth 1`.\n")
    elif not specs:
        note = "\narchgen generate emitted no per-service OpenAPI file; fastapi-codegen skipped.\n"
    else:
        note = ("\nfastapi-codegen is not installed (bench/.venvs/peers or PATH); "
                "see BENCHMARKS.md, Setup.\n")
    st = ctx.bench(cmds, ctx.repeats(3, 7), warmup=1)
    rows = []
    for c in cmds:
        x = st[c.label]
        if not x.ok:
            rows.append([f"`{show_cmd(x.argv)}`", f"failed: {x.failure}", "", "", ""])
            continue
        rows.append([f"`{show_cmd(x.argv)}`", s(x.wall), spread(x),
                     f"{x.extra('files') or 0:.0f}", s(x.rss, 0)])
    if len(cmds) == 2 and all(st[c.label].ok for c in cmds):
        a, f = st[cmds[0].label], st[cmds[1].label]
        note += (f"\nfastapi-codegen / archgen generate: {ratio(f.wall, a.wall)} "
                 "(archgen emits specs today; the service code it will generate is a later "
                 "issue, and lands in this table).\n")
    return Section("fastapi_codegen", "One service: archgen vs fastapi-codegen",
                   table(header, rows) + "\n" + note)


def diagrams(ctx: Context) -> Section:
    """4. Diagram views of a 200-service catalog (goal: <= 3 s)."""
    n = 200
    what = "all diagram views of a 200-service catalog"
    header = ["command (200 services)", "median s", "range s", "files", "peak RSS MB"]
    if not ctx.archgen_has("diagram"):
        ctx.goal(what, "<= 3 s", "not available yet", None)
        return Section("diagrams", "Diagrams",
                       table(header, [["`archgen diagram`", "not available yet", "", "", ""]]))
    catalog = cached_catalog(n)
    archgen = ctx.tools["archgen"]

    def diagram_cmd(label: str, *options: str) -> Cmd:
        out = WORK / f"diagram-{n}-{len(label)}"
        return Cmd(label, [archgen, "diagram", str(catalog), "-o", str(out), *options],
                   prepare=fresh_dir(out), after=files_after(out))

    text = diagram_cmd("every view, text formats", "--format", "mermaid,plantuml,dot")
    svg = diagram_cmd("overview views as SVG", "--view", "system,context,events",
                      "--format", "svg")
    st = ctx.bench([text, svg], ctx.repeats(2, 5), warmup=1)
    cmds = [text, svg]
    if not ctx.quick:  # PNG and SVG of every service view: graphviz-bound, one run
        full = diagram_cmd("every view, every format (default)")
        st.update(ctx.bench([full], 1))
        cmds.append(full)
    rows = []
    for c in cmds:
        x = st[c.label]
        if not x.ok:
            rows.append([f"{c.label}: `{show_cmd(x.argv)}`", f"failed: {x.failure}", "", "",
                         ""])
            continue
        if c is not cmds[-1] or ctx.quick:  # the PNG run is graphviz's time, not archgen's
            ctx.candidate(x)
        rows.append([f"{c.label}: `{show_cmd(x.argv)}`", s(x.wall), spread(x),
                     f"{x.extra('files') or 0:.0f}", s(x.rss, 0)])
    a, b = st[text.label], st[svg.label]
    if a.ok and b.ok:
        ctx.goal(what + " (every view as text + the overview SVGs, two commands)", "<= 3 s",
                 f"{s(a.wall + b.wall)} s", a.wall + b.wall <= 3.0)
    else:
        ctx.goal(what, "<= 3 s", "failed", None)
    if len(cmds) == 3 and st[cmds[2].label].ok:
        w = st[cmds[2].label].wall
        ctx.goal(what + " (every view in every format, PNG included, one command)", "<= 3 s",
                 f"{s(w)} s", w <= 3.0)
    body = table(header, rows)
    if (BENCH / "bench_diagrams.py").exists():
        proc = subprocess.run([ctx.py, "-m", "bench.bench_diagrams", str(n), "--runs",
                               str(ctx.repeats(3, 5))], cwd=ROOT, capture_output=True,
                              text=True, check=False, timeout=RUN_TIMEOUT_S)
        shown = proc.stdout.strip() or proc.stderr.strip()[-500:]
        body += ("\n\nIn-process, without start-up and loading (`python -m bench.bench_diagrams "
                 f"{n}`, written with the diagrams):\n\n```\n{shown}\n```\n")
    return Section("diagrams", "Diagrams", body)


def profile(ctx: Context) -> Section:
    """5. pyinstrument profile of the slowest archgen command measured in this run."""
    if not ctx.candidates:
        return Section("profile", "Profile", "Nothing to profile: no archgen command ran.")
    wall, label, argv = max(ctx.candidates)
    PROFILES.mkdir(parents=True, exist_ok=True)
    args = argv[1:]
    smaller = ""
    if wall > PROFILE_MAX_S:  # profile the same command on a smaller catalog
        small = cached_catalog(PROFILE_SMALL)
        for i, arg in enumerate(args):
            if arg.startswith(str(cached_catalog(1).parent)) and arg.endswith(".yaml"):
                args[i] = str(small)
                smaller = (f" It took {s(wall)} s, too long to profile in every run, so the "
                           f"profile is of the same command on the {PROFILE_SMALL}-service "
                           "catalog.")
            elif arg.startswith(str(WORK)):
                args[i] = str(WORK / "profile-output")
        shutil.rmtree(WORK / "profile-output", ignore_errors=True)
    name = label.replace(" ", "-").replace("@", "-").replace("/", "-").replace(",", "")
    name += f"-profiled-at-{PROFILE_SMALL}" if smaller else ""
    session = WORK / "profile.pyisession"
    out, flat = PROFILES / f"{name}.txt", PROFILES / f"{name}-flat.txt"
    proc = subprocess.run([ctx.py, "-m", "pyinstrument", "--renderer", "pyisession",
                           "--outfile", str(session), "-m", "archgen", *args],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if not session.exists():
        return Section("profile", "Profile of the slowest measure",
                       f"pyinstrument failed (exit {proc.returncode}): {proc.stderr[-300:]}")
    for target, options in ((out, []), (flat, ["-p", "flat", "-p", "flat_time=self"])):
        subprocess.run([ctx.py, "-m", "pyinstrument", "--load", str(session), "--renderer",
                        "text", "--no-color", *options, "--outfile", str(target)],
                       cwd=ROOT, capture_output=True, check=False)
    session.unlink()

    def head(path: Path, count: int) -> str:
        if not path.exists():
            return "(not rendered)"
        lines = [ln.rstrip() for ln in path.read_text(encoding="utf-8").splitlines()]
        start = next((i for i, ln in enumerate(lines) if ln.startswith("Program:")), 0)
        return "\n".join(ln for ln in lines[start:start + count + 2] if ln.strip())

    body = (f"The slowest archgen command of this run was `{show_cmd(argv)}` "
            f"({s(wall)} s median).{smaller} Profile of `{show_cmd(['archgen', *args])}` "
            f"with pyinstrument: call tree [`{out.relative_to(ROOT)}`]({out.relative_to(ROOT)}),"
            f" self time per function [`{flat.relative_to(ROOT)}`]({flat.relative_to(ROOT)}).\n\n"
            f"Self time, top functions:\n\n```\n{head(flat, 20)}\n```\n\n"
            f"Call tree, top:\n\n```\n{head(out, 30)}\n```\n")
    return Section("profile", "Profile of the slowest measure", body)


# Add a measure: one function (ctx) -> Section, appended here. `profile` stays last.
MEASURES: list[Callable[[Context], Section]] = [
    cold_start, validation_scale, specs_and_docs, fastapi_codegen, diagrams,
    generation_vs_jhipster, generation_scale, regeneration, diff_scale, running_system, profile,
]
