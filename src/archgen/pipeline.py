"""One run from a catalog to files: load, validate, refuse, plan, write, report.

Every command that turns a catalog into something calls `prepare` once: it loads and
validates the catalog, refuses (printing why) when nothing can be made of it, and
holds the run's plan, the generation context, built once on first use. The command
then chooses its outputs (`generate`, `write_outputs`, `refresh`) and returns the exit
code the pipeline reports. Commands parse options and print nothing of their own
about the run; no command holds a step of it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archgen import writer
from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK
from archgen.findings import Severity
from archgen.validation import FileReport, validate_file
from archgen.writer import Action, DriftKind, fastpath

if TYPE_CHECKING:
    from archgen.generation import Plan
    from archgen.model.deployment import Deployment
    from archgen.model.resolved import ResolvedCatalog
    from archgen.output import GenerationContext, Generator, OutputFile
    from archgen.runtime.dashboard.views import ArchitectureViews
    from archgen.runtime.gateway import GatewayConfig
    from archgen.writer import Drift, WriteResult

# What `up` runs from the output folder; the other kinds (diagrams, docs) take seconds to
# plan and change nothing that runs, so `up` leaves them to `archgen generate`.
RUN_KINDS = ("services", "gateway", "aggregator")


@dataclass(frozen=True)
class Prepared:
    """A catalog that loaded and validated: the run's one report and one context."""

    path: Path
    report: FileReport
    catalog: ResolvedCatalog
    today: date
    trust_templates: bool = False
    output: Path | None = None  # `-o`: where earlier runs wrote (the services' migrations)

    @cached_property
    def context(self) -> GenerationContext:
        """The generation context every output of this run reads, built once."""
        from archgen.generation import build_context

        return build_context(self.catalog, self.today, self.report.findings,
                             template_options(self.path, trusted=self.trust_templates,
                                              output=self.output_dir(self.output)))

    @property
    def deployment(self) -> Deployment:
        return self.context.deployment

    def output_dir(self, output: Path | None) -> Path:
        """`-o`, else generated/<system.name>."""
        return output if output is not None else Path("generated") / self.catalog.system.name


def prepare(catalog: Path, today: date, *, trust_templates: bool = False,
            output: Path | None = None) -> Prepared | None:
    """The validated catalog, or None after printing why nothing can be made of it."""
    report = validate_file(catalog, today=today)
    loaded = report.load
    if loaded is None or loaded.catalog is None or loaded.errors:
        refuse(report)
        return None
    resolved = loaded.catalog
    if resolved.redacted:
        sys.stderr.write(f"archgen: warning: {len(resolved.redacted)} value(s) that look like "
                         "secrets are redacted in every output; `archgen validate` says where "
                         "(AG604)\n")
    return Prepared(catalog, report, resolved, today, trust_templates, output)


def refuse(report: FileReport) -> int:
    """Print the findings that stop a catalog from being turned into files."""
    from archgen.reporting import render_text

    sys.stdout.write(render_text([report]))
    sys.stdout.write("Nothing written: fix the errors above first.\n")
    return EXIT_FINDINGS


def template_options(catalog: Path, *, trusted: bool, output: Path | None = None
                     ) -> dict[str, dict[str, object]]:
    """The services generator's options: where relative template paths start (the
    catalog's folder), whether the user trusts the templates' code, and the output
    folder (the migrations written there already)."""
    from archgen.generators.services import CATALOG_DIR_OPTION, OUTPUT_DIR_OPTION, TRUST_OPTION

    options: dict[str, object] = {CATALOG_DIR_OPTION: str(catalog.resolve().parent),
                                  TRUST_OPTION: trusted}
    if output is not None:
        options[OUTPUT_DIR_OPTION] = str(output)
    return {"services": options}


def generate(run: Prepared, out_dir: Path, kinds: list[str], *, check: bool = False,
             dry_run: bool = False, force: bool = False) -> int:
    """Plan the registry's `kinds` and write them into `out_dir` (or compare, `check`).
    The no-op run returns before the plan's modules and the generators load."""
    failed = _report_secrets(run.report)  # an inline secret: written redacted, the run fails
    inputs = None
    if not check and not dry_run:
        assert run.report.load is not None  # prepare refused a catalog that did not load
        inputs = fastpath.fingerprint(run.report.load.text, kinds, run.today)
        unchanged = fastpath.up_to_date(out_dir, inputs, kinds)
        if unchanged is not None:  # nothing that feeds generation changed, nor the files
            sys.stdout.write(f"{unchanged} unchanged in {out_dir}.\n")
            return EXIT_FINDINGS if failed else EXIT_OK
    from archgen.generation import plan_incremental, plan_outputs

    ctx = run.context
    if check:  # strict: every file rendered and compared, nothing taken from the cache
        return max(_check(out_dir, plan_outputs(ctx, kinds), kinds),
                   EXIT_FINDINGS if failed else EXIT_OK)
    plan = plan_incremental(ctx, kinds, out_dir)
    if ctx.problems:
        inputs = None  # a run that could not make everything must not look up to date
    code = _write_plan(out_dir, plan, kinds, force=force, dry_run=dry_run, inputs=inputs)
    failed = _report_problems(ctx.problems) or failed
    return EXIT_FINDINGS if failed else code


def plan(run: Prepared, generators: Sequence[Generator]) -> list[OutputFile]:
    """The files these generators make of the run's context, post-formatted."""
    from archgen.generation import plan_files

    return plan_files(run.context, generators)


def write_outputs(run: Prepared, out_dir: Path, files: Sequence[OutputFile],
                  owned: Sequence[str]) -> int:
    """Write planned files through the writer; `owned` are the generator names whose
    earlier files in `out_dir` this run replaces (and may delete). Reports what could
    not be made and inline secrets like `generate` does."""
    failed = _report_secrets(run.report)
    code = write_files(out_dir, files, owned)
    failed = _report_problems(run.context.problems) or failed
    return EXIT_FINDINGS if failed else code


def finish(run: Prepared) -> int:
    """The exit code of a run that printed its output instead of writing it."""
    failed = _report_secrets(run.report)
    failed = _report_problems(run.context.problems) or failed
    return EXIT_FINDINGS if failed else EXIT_OK


def refresh(run: Prepared, out_dir: Path) -> None:
    """Regenerate what `archgen up` runs (RUN_KINDS) when the folder is stale; files
    edited by hand are kept: running the user's edits is the point."""
    from archgen.generation import plan_outputs
    from archgen.generators import GENERATORS

    kinds = [k for k in GENERATORS if k in RUN_KINDS]
    if not kinds:
        return
    files = plan_outputs(run.context, kinds)
    if writer.check(out_dir, files, kinds):
        result = writer.write(out_dir, files, kinds)
        sys.stdout.write(f"regenerated {out_dir} from {run.path}\n")
        if result.skipped:
            sys.stdout.write(f"kept {len(result.skipped)} generated file(s) edited by hand; "
                             "`archgen generate` lists them\n")


def gateway_config(run: Prepared) -> GatewayConfig:
    """The gateway generator's Envoy bootstrap of this run, for `archgen up` to point at
    local ports: the runtime reads the plan, never a generator."""
    from archgen.generators.gateway.envoy import envoy_bootstrap

    ctx = run.context

    def config(upstreams: Mapping[str, tuple[str, int]], jwks: str | None,
               listen_port: int, traces: str | None = None) -> dict[str, Any]:
        return dict(envoy_bootstrap(ctx, upstreams=upstreams, jwks=jwks,
                                    listen_port=listen_port, traces=traces))

    return config


def dashboard_views(run: Prepared) -> ArchitectureViews:
    """What the development dashboard of `archgen up` draws, made by the generators of
    this run (the docs explorer's model, the system view, the gateway's public API)."""
    from archgen.runtime.dashboard.views import ArchitectureViews

    catalog = run.catalog

    def model() -> dict[str, Any]:
        from archgen.generators.docs.explore import explore_model

        return explore_model(catalog)

    def system_svg() -> bytes:
        from archgen.generators.diagrams.render import render_view
        from archgen.generators.diagrams.views import system_view

        return render_view(system_view(catalog), ["svg"])["svg"]

    def gateway_openapi() -> dict[str, Any] | None:
        from archgen.generators.openapi_gateway import gateway_document

        document = gateway_document(catalog)
        return None if document is None else dict(document)

    return ArchitectureViews(model, system_svg, gateway_openapi)


def write_files(out_dir: Path, files: Sequence[OutputFile], generators: Sequence[str]) -> int:
    """Write through the writer (manifest, atomic writes, user files untouched)."""

    result = writer.write(out_dir, files, generators)
    for change in result.skipped:
        sys.stdout.write(_clean(change.line()) + "\n")
    written = sum(1 for c in result.changes if c.action.value in ("create", "update"))
    sys.stdout.write(f"Wrote {written} of {len(files)} files to {out_dir} "
                     f"({len(files) - written - len(result.skipped)} unchanged).\n")
    return EXIT_FINDINGS if result.skipped else EXIT_OK


def _clean(text: str) -> str:
    """`text` safe for a terminal (archgen.reporting.clean)."""
    from archgen.reporting import clean as safe

    return safe(text)


def _report_secrets(report: FileReport) -> bool:
    """Say that unsuppressed inline secrets (AG604 errors) fail the run; True if any."""
    count = sum(1 for f in report.findings if f.code == "AG604" and f.severity is Severity.ERROR)
    if count:
        sys.stderr.write(f"archgen: error: {count} inline secret(s) (AG604): the outputs are "
                         "written with the values redacted, and the run fails until the "
                         "secrets are removed from the catalog (or the findings suppressed "
                         "with a reason)\n")
    return bool(count)


def _report_problems(problems: list[str]) -> bool:
    """Say what a generator could not make (a diagram graphviz failed on); True if any.

    The rest was planned and written: one undrawable diagram must not stop the specs.
    """
    for problem in problems:
        sys.stderr.write(f"archgen: error: {_clean(problem)}\n")
    return bool(problems)


def _check(out_dir: Path, files: list[OutputFile], kinds: list[str]) -> int:

    drifts = writer.check(out_dir, files, kinds)
    for drift in drifts:
        sys.stdout.write(_clean(drift.line()) + "\n")
    if drifts:
        sys.stdout.write(f"{len(drifts)} file(s) in {out_dir} differ from the catalog.\n")
        sys.stdout.write(_advice(drifts) + "\n")
        return EXIT_FINDINGS
    sys.stdout.write(f"{out_dir} is up to date ({len(files)} files).\n")
    return EXIT_OK


def _advice(drifts: list[Drift]) -> str:
    """What `archgen generate` will do about these drifts, and what to do instead."""

    if any(d.kind is DriftKind.EDITED for d in drifts):
        return ("`archgen generate` updates the others but keeps files edited by hand (and "
                "exits 1); `archgen generate --force` overwrites them. To keep a change across "
                "regenerations, make it in the catalog or in a scaffold file, not in a "
                "managed one.")
    return "Run `archgen generate` to update them."


def _write_plan(out_dir: Path, plan: Plan, kinds: list[str], *, force: bool,
                dry_run: bool, inputs: str | None = None) -> int:

    result = writer.write(out_dir, plan.files, kinds, force=force, dry_run=dry_run,
                          carried=plan.carried, units=plan.units)
    clean_run = not any(c.action in (Action.SKIP, Action.FOREIGN)
                        for c in result.changes)
    if inputs is not None and clean_run and not dry_run:
        fastpath.record(out_dir, inputs, plan.paths, kinds)
    for line in writer.describe(result.changes):
        sys.stdout.write(_clean(line) + "\n")
    sys.stdout.write(_summary(result, out_dir) + "\n")
    return EXIT_FINDINGS if result.skipped else EXIT_OK


def _summary(result: WriteResult, out_dir: Path) -> str:

    counts = [(result.count(a), word) for a, word in (
        (Action.CREATE, "created"), (Action.UPDATE, "updated"), (Action.DELETE, "deleted"),
        (Action.UNCHANGED, "unchanged"), (Action.FOREIGN, "left alone (not archgen's)"),
        (Action.SKIP, "skipped"),
        (Action.KEEP, "kept"))]
    text = ", ".join(f"{n} {word}" for n, word in counts if n) or "nothing to do"
    prefix = "Dry run (nothing written): " if result.dry_run else ""
    return f"{prefix}{text} in {out_dir}."
