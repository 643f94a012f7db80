"""Generation vs JHipster: the e-commerce system both ways.

JHipster reads bench/jhipster/ecommerce.jdl (the blueprint as JHipster models it);
archgen generates blueprints/ecommerce/catalog.yaml with the kinds JHipster also
produces (everything but docs and diagrams). generator-jhipster@8 is installed
once into bench/.cache/jhipster/ with npm (9.x needs a newer Node).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from bench.common import (
    BENCH,
    ROOT,
    WORK,
    Cmd,
    Context,
    Sample,
    Section,
    Stats,
    archgen_kinds,
    ratio,
    s,
    show_cmd,
    spread,
    table,
    tree_facts,
)

JDL = BENCH / "jhipster" / "ecommerce.jdl"
PREFIX = BENCH / ".cache" / "jhipster"
JHIPSTER = PREFIX / "node_modules" / ".bin" / "jhipster"
PACKAGE = "generator-jhipster@8"
NOT_COMPARABLE = ("docs", "diagrams")  # JHipster draws no diagrams and writes no docs site
GOAL_X = 50.0
_BUILD_FILES = ("pom.xml", "build.gradle", "pyproject.toml", "package.json", "go.mod")


def jhipster_bin(log: Callable[[str], None]) -> Path | None:
    """The jhipster CLI, installed into the cache on first use; None when npm cannot."""
    if JHIPSTER.exists():
        return JHIPSTER
    npm = shutil.which("npm")
    if npm is None:
        return None
    log(f"  npm install --prefix {PREFIX.relative_to(ROOT)} {PACKAGE} (once)")
    PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund",
                    PACKAGE], cwd=PREFIX, capture_output=True, check=False, timeout=1800)
    return JHIPSTER if JHIPSTER.exists() else None


def service_folders(root: Path) -> list[str]:
    """Folders (not nested in another) holding a build file: what one could build and run."""
    found: list[Path] = []
    for name in _BUILD_FILES:
        found += [p.parent for p in root.rglob(name) if "node_modules" not in p.parts]
    tops = sorted(set(found), key=lambda p: len(p.parts))
    kept: list[Path] = []
    for folder in tops:
        if folder != root and not any(folder.is_relative_to(k) for k in kept):
            kept.append(folder)
    return sorted(str(k.relative_to(root)) for k in kept)


def _copy_jdl(folder: Path) -> Callable[[], None]:
    def prepare() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        shutil.copyfile(JDL, folder / JDL.name)
    return prepare


def _facts(folder: Path, skip: tuple[str, ...]) -> Callable[[Sample], None]:
    def after(sample: Sample) -> None:
        files, lines, size = tree_facts(folder, skip)
        sample.extra.update(files=float(files), lines=float(lines), bytes=float(size),
                            services=float(len(service_folders(folder))))
    return after


def generation_vs_jhipster(ctx: Context) -> Section:
    """`jhipster jdl` vs `archgen generate` of the e-commerce system, alternating."""
    title = "Generation vs JHipster (the e-commerce system)"
    jhipster = jhipster_bin(ctx.log)
    kinds = [k for k in archgen_kinds(ctx.py) if k not in NOT_COMPARABLE]
    header = ["command", "median s", "range s", "peak RSS MB", "files", "lines", "MB",
              "service folders"]
    if jhipster is None:
        ctx.goal("archgen generate vs JHipster (e-commerce)", f">= {GOAL_X:.0f}x faster",
                 "not measured: npm or generator-jhipster missing", None)
        return Section("generation_vs_jhipster", title,
                       "Not measured: `npm` is missing or `npm install "
                       f"{PACKAGE}` failed.")
    catalog = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
    a_out, j_out = WORK / "vs-jhipster-archgen", WORK / "vs-jhipster-jhipster"
    archgen = Cmd("archgen", [ctx.tools["archgen"], "generate", str(catalog), "-o", str(a_out),
                              "--only", ",".join(kinds)],
                  prepare=lambda: shutil.rmtree(a_out, ignore_errors=True),
                  after=_facts(a_out, (".archgen-manifest.json",)))
    jh = Cmd("jhipster", [str(jhipster), "jdl", JDL.name, "--skip-install", "--skip-git",
                          "--no-insight", "--force"],
             prepare=_copy_jdl(j_out), after=_facts(j_out, (JDL.name,)), cwd=j_out,
             once_over_s=60.0 if ctx.quick else 1e9, env={"NO_UPDATE_NOTIFIER": "1"})
    st = ctx.bench([archgen, jh], ctx.repeats(2, 3))
    a, j = st["archgen"], st["jhipster"]
    rows = [_row(x) for x in (a, j)]
    ctx.goal("archgen generate vs JHipster (e-commerce)", f">= {GOAL_X:.0f}x faster",
             f"{ratio(j.wall, a.wall)} faster" if a.ok and j.ok else "failed",
             j.wall >= GOAL_X * a.wall if a.ok and j.ok else None)
    body = table(header, rows) + "\n" + _notes(kinds, a, j, a_out, j_out)
    return Section("generation_vs_jhipster", title, body)


def _row(x: Stats) -> list[str]:
    if not x.ok:
        return [f"`{show_cmd(x.argv)}`", f"failed: {x.failure}", "", "", "", "", "", ""]
    return [f"{x.label}: `{show_cmd(x.argv)}`", s(x.wall), spread(x), s(x.rss, 0),
            f"{x.extra('files') or 0:,.0f}", f"{x.extra('lines') or 0:,.0f}",
            f"{(x.extra('bytes') or 0) / 1e6:.1f}", f"{x.extra('services') or 0:.0f}"]


def _notes(kinds: list[str], a: Stats, j: Stats, a_out: Path, j_out: Path) -> str:
    version = ""
    if j.ok:
        proc = subprocess.run([str(JHIPSTER), "--version"], capture_output=True, text=True,
                              check=False, env={**os.environ, "NO_UPDATE_NOTIFIER": "1"})
        version = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "?"
    text = (f"\nJHipster {version} (`{PACKAGE}`, node {_node_version()}) reads "
            f"[`bench/jhipster/ecommerce.jdl`](bench/jhipster/ecommerce.jdl): a gateway and "
            "six microservices with the blueprint's entities, Kafka, PostgreSQL/MongoDB "
            "(Redis as a cache: JHipster has no key-value store), a kubernetes deployment. "
            f"archgen generates the blueprint with `--only {','.join(kinds)}` (every kind "
            "registered today but docs and diagrams, which JHipster does not produce). "
            "`--skip-install` keeps npm and Maven out of JHipster's time; each side writes into "
            "an empty folder every run; runs alternate.\n\n"
            "\"service folders\" are top-level folders holding a build file (pom.xml, "
            "pyproject.toml, ...): what one could build. Whether they run without edits is "
            "the running-system table's job (`archgen up`); JHipster's need Maven and a JDK, "
            "which this machine cannot download.\n")
    if a.ok and j.ok:
        text += (f"\nSide by side: archgen {ratio(j.wall, a.wall)} faster; JHipster writes "
                 f"{ratio(j.extra('files'), a.extra('files'))} the files and "
                 f"{ratio(j.extra('lines'), a.extra('lines'))} the lines. Service folders: "
                 f"archgen {', '.join(service_folders(a_out)) or 'none'}; JHipster "
                 f"{', '.join(service_folders(j_out)) or 'none'}.\n")
    return text


def _node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return "?"
    return subprocess.run([node, "--version"], capture_output=True, text=True,
                          check=False).stdout.strip()
