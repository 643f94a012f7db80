"""One generation run: the context every generator reads, and the plan of all outputs.

Pure apart from the post-formatter's subprocess and, for an incremental plan,
reading the output folder's manifest, cache and stats: no writes to the output
folder here (the writer does those), no clock (the command passes `today`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from archgen.errors import OutputError
from archgen.findings import Finding
from archgen.formatting import post_format
from archgen.model.deployment import deployment
from archgen.model.resolved import ResolvedCatalog
from archgen.output import (
    GenerationContext,
    Generator,
    OutputFile,
    Ownership,
    PlannedPerUnit,
    Unit,
)
from archgen.writer.cache import Cache, UnitRecord, read_cache
from archgen.writer.fastpath import code_fingerprint
from archgen.writer.journal import staged_own_files
from archgen.writer.manifest import Entry, Manifest, read_manifest
from archgen.writer.paths import JOURNAL, SafeTargets, sha256


def build_context(catalog: ResolvedCatalog, today: date, findings: Sequence[Finding] = (),
                  options: Mapping[str, Mapping[str, object]] | None = None
                  ) -> GenerationContext:
    from archgen.rules import RULES

    return GenerationContext(catalog=catalog, deployment=deployment(catalog), today=today,
                             findings=tuple(findings), rules=RULES, options=options or {})


def plan_outputs(ctx: GenerationContext, kinds: Sequence[str]) -> list[OutputFile]:
    """Every file the registry's generators of these kinds produce (see plan_files)."""
    from archgen.generators import GENERATORS

    return plan_files(ctx, [GENERATORS[kind] for kind in kinds])


def plan_files(ctx: GenerationContext, generators: Sequence[Generator]) -> list[OutputFile]:
    """Every file these generators produce, post-formatted, sorted by path."""
    files = [f for generator in generators for f in generator.plan(ctx)]
    return sorted(post_format(files), key=lambda f: f.path)


@dataclass(frozen=True)
class Plan:
    """A run's plan when an earlier run's output is there to build on.

    `files` are rendered and post-formatted; `carried` are planned files left as
    they are, with their manifest entries (their unit read the same inputs and
    they are on disk as written); `units` records every unit of the run with the
    hashes of its files, for the cache.
    """

    files: list[OutputFile]
    carried: dict[str, Entry]
    units: dict[str, UnitRecord]

    @property
    def paths(self) -> set[str]:
        return {f.path for f in self.files} | set(self.carried)


def plan_incremental(ctx: GenerationContext, kinds: Sequence[str], out_dir: Path) -> Plan:
    """Plan like plan_outputs, skipping units whose inputs and files are unchanged.

    Only a unit's rendered files go through the formatter (and are hashed by the
    writer); a skipped unit costs a few stats. Reads only: nothing is reused from
    a folder with a journal pending (the writer's recovery may change it).
    """
    from archgen.generators import GENERATORS

    previous = _previous(out_dir)
    code = code_fingerprint()
    rendered: list[OutputFile] = []
    made: dict[str, list[str]] = {}
    carried: dict[str, Entry] = {}
    units: dict[str, UnitRecord] = {}
    for kind in kinds:
        generator = GENERATORS[kind]
        if not isinstance(generator, PlannedPerUnit):
            rendered.extend(generator.plan(ctx))
            continue
        stale: list[Unit] = []
        for offered in generator.units(ctx):
            unit = offered if offered.inputs is None else replace(  # other code: other inputs
                offered, inputs=sha256(f"{code}\0{offered.inputs}".encode()))
            reused = previous.reusable(unit, kind) if unit.inputs is not None else None
            if reused is not None:
                carried.update(reused)
                units[unit.key] = UnitRecord(unit.inputs or "",
                                             {p: e.sha256 for p, e in reused.items()})
            else:
                stale.append(unit)
        for unit, files, failed in _render(stale, getattr(generator, "threads", 1), ctx):
            rendered.extend(files)
            if unit.inputs is not None and not failed:  # a failure is retried next run
                made[unit.key] = [f.path for f in files]
                units[unit.key] = UnitRecord(unit.inputs, {})
    formatted = sorted(post_format(rendered), key=lambda f: f.path)
    by_path = {f.path: f for f in formatted}
    for key, paths in made.items():
        hashes = {p: sha256(by_path[p].data) for p in paths}
        units[key] = UnitRecord(units[key].inputs, hashes)
    return Plan(formatted, carried, units)


def _render(units: Sequence[Unit], threads: int, ctx: GenerationContext
            ) -> list[tuple[Unit, list[OutputFile], bool]]:
    """Each unit's files, and whether it added to the run's problems (a view graphviz
    could not draw). A generator whose units wait on a subprocess (graphviz) sets
    `threads`: they then render that many at a time, in the same order of results."""
    if threads <= 1 or len(units) <= 1:
        out = []
        for unit in units:
            before = len(ctx.problems)
            files = unit.render()
            out.append((unit, files, len(ctx.problems) > before))
        return out
    from concurrent.futures import ThreadPoolExecutor

    def one(unit: Unit) -> tuple[Unit, list[OutputFile], bool]:
        before = set(ctx.problems)
        files = unit.render()
        return unit, files, bool(set(ctx.problems) - before)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, units))


@dataclass(frozen=True)
class _Previous:
    """What an earlier run left: its manifest, its cache, and where its files are."""

    manifest: Manifest
    cache: Cache
    targets: SafeTargets | None

    def reusable(self, unit: Unit, kind: str) -> dict[str, Entry] | None:
        """The unit's files with their entries if rendering it would change nothing."""
        record = self.cache.units.get(unit.key)
        if record is None or record.inputs != unit.inputs or not record.files \
                or self.targets is None:
            return None
        out = {}
        try:
            for path, sha in record.files.items():
                entry = self.manifest.get(path)
                if entry is None or entry.sha256 != sha or entry.generator != kind:
                    return None
                st = os.lstat(self.targets.text(path))
                seen = self.cache.files.get(path)
                if not stat.S_ISREG(st.st_mode):
                    return None
                if entry.ownership is Ownership.MANAGED and (
                        seen is None or not seen.holds(sha, st)):
                    return None
                out[path] = entry
        except (OSError, OutputError):
            return None
        return out


def _previous(out_dir: Path) -> _Previous:
    root = out_dir.resolve()
    nothing = _Previous({}, Cache(), None)
    try:
        if (root / JOURNAL).exists() or staged_own_files(root):
            return nothing
        return _Previous(read_manifest(root), read_cache(root), SafeTargets(root))
    except (OSError, OutputError):
        return nothing  # the writer reports what is wrong with the folder
