"""`archgen generate`: plan every output from the catalog, then let the writer write it."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archgen.commands.common import refuse
from archgen.commands.style import (
    CatalogArg,
    command_settings,
    output_dir_option,
    trust_templates_option,
)
from archgen.errors import UsageError
from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archgen.generation import Plan
    from archgen.output import OutputFile
    from archgen.validation import FileReport
    from archgen.writer import Drift, WriteResult


# The kinds `--only` takes, for `--help` without importing every generator; a test keeps it
# equal to GENERATORS. Add a kind here when you add it there.
KINDS = ("openapi", "asyncapi", "diagrams", "docs", "services", "compose", "gateway",
         "aggregator", "helm", "mesh", "observability")


def generate(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path | None, output_dir_option("generated/<system.name>")] = None,
    only: Annotated[str | None, typer.Option(
        "--only", metavar="KINDS", show_default=False,
        help=f"Generate only these kinds, comma-separated: {', '.join(KINDS)}.  "
             "[default: all]")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; exit 1 if the folder differs from the catalog.")
                     ] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Write nothing; list what would change.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Overwrite generated files you edited (files archgen did not "
                        "write are never touched).")] = False,
    trust_templates: Annotated[bool, trust_templates_option()] = False,
) -> int:
    """Generate specs, runnable services, deployment, diagrams and docs from a catalog.

    OpenAPI and AsyncAPI specs, the services, compose, Helm, gateway, mesh and SLO
    config, the diagrams and the architecture document, written through a manifest:
    files you edited are never overwritten without --force.
    """
    from archgen.commands.common import run_clock

    if check and dry_run:
        raise UsageError("--check and --dry-run exclude each other", "use one of them")
    kinds = select_kinds(only, list(KINDS))  # the generators are imported after the no-op
    today = run_clock()
    report = validated(catalog, today)
    if report is None or report.load is None or report.load.catalog is None:
        return EXIT_FINDINGS
    resolved = report.load.catalog
    if resolved.redacted:
        sys.stderr.write(f"archgen: warning: {len(resolved.redacted)} value(s) that look like "
                         "secrets are redacted in every output; `archgen validate` says where "
                         "(AG604)\n")
    out_dir = output if output is not None else Path("generated") / resolved.system.name
    # An inline secret is an error: the outputs are written (redacted), the run fails.
    failed = _report_secrets(report)
    inputs = None
    if not check and not dry_run:
        from archgen.writer import fastpath

        inputs = fastpath.fingerprint(report.load.text, kinds, today)
        unchanged = fastpath.up_to_date(out_dir, inputs, kinds)
        if unchanged is not None:  # nothing that feeds generation changed, nor the files
            sys.stdout.write(f"{unchanged} unchanged in {out_dir}.\n")
            return EXIT_FINDINGS if failed else EXIT_OK
    from archgen.generation import build_context, plan_incremental, plan_outputs

    ctx = build_context(resolved, today, report.findings,
                        template_options(catalog, trusted=trust_templates))
    if check:  # strict: every file rendered and compared, nothing taken from the cache
        return max(_check(out_dir, plan_outputs(ctx, kinds), kinds),
                   EXIT_FINDINGS if failed else EXIT_OK)
    plan = plan_incremental(ctx, kinds, out_dir)
    if ctx.problems:
        inputs = None  # a run that could not make everything must not look up to date
    code = _write(out_dir, plan, kinds, force=force, dry_run=dry_run, inputs=inputs)
    failed = _report_problems(ctx.problems) or failed
    return EXIT_FINDINGS if failed else code


def _report_secrets(report: FileReport) -> bool:
    """Say that unsuppressed inline secrets (AG604 errors) fail the run; True if any."""
    from archgen.findings import Severity

    count = sum(1 for f in report.findings if f.code == "AG604" and f.severity is Severity.ERROR)
    if count:
        sys.stderr.write(f"archgen: error: {count} inline secret(s) (AG604): the outputs are "
                         "written with the values redacted, and the run fails until the "
                         "secrets are removed from the catalog (or the findings suppressed "
                         "with a reason)\n")
    return bool(count)


def template_options(catalog: Path, *, trusted: bool) -> dict[str, dict[str, object]]:
    """The services generator's options: where relative template paths start (the
    catalog's folder) and whether the user trusts the templates' code."""
    from archgen.generators.services import CATALOG_DIR_OPTION, TRUST_OPTION

    return {"services": {CATALOG_DIR_OPTION: str(catalog.resolve().parent),
                         TRUST_OPTION: trusted}}


def _report_problems(problems: list[str]) -> bool:
    """Say what a generator could not make (a diagram graphviz failed on); True if any.

    The rest was planned and written: one undrawable diagram must not stop the specs.
    """
    from archgen.reporting import clean

    for problem in problems:
        sys.stderr.write(f"archgen: error: {clean(problem)}\n")
    return bool(problems)


def validated(catalog: Path, today: date) -> FileReport | None:
    """The validator's report of a catalog that loads; None after printing why it does not."""
    from archgen.validation import validate_file

    report = validate_file(catalog, today=today)
    loaded = report.load
    if loaded is None or loaded.catalog is None or loaded.errors:
        refuse(report)
        return None
    return report


def select_kinds(only: str | None, known: list[str]) -> list[str]:
    """The kinds `--only` names, in registry order; a usage error if one is unknown."""
    if only is None:
        return known
    wanted = {k.strip() for k in only.split(",") if k.strip()}
    unknown = sorted(wanted - set(known))
    if unknown or not wanted:
        what = ", ".join(repr(k) for k in unknown) if unknown else "nothing"
        raise UsageError(f"--only names {what}", f"kinds: {', '.join(known)}")
    return [k for k in known if k in wanted]


def _check(out_dir: Path, files: list[OutputFile], kinds: list[str]) -> int:
    from archgen import writer
    from archgen.reporting import clean

    drifts = writer.check(out_dir, files, kinds)
    for drift in drifts:
        sys.stdout.write(clean(drift.line()) + "\n")
    if drifts:
        sys.stdout.write(f"{len(drifts)} file(s) in {out_dir} differ from the catalog.\n")
        sys.stdout.write(_advice(drifts) + "\n")
        return EXIT_FINDINGS
    sys.stdout.write(f"{out_dir} is up to date ({len(files)} files).\n")
    return EXIT_OK


def _advice(drifts: list[Drift]) -> str:
    """What `archgen generate` will do about these drifts, and what to do instead."""
    from archgen.writer import DriftKind

    if any(d.kind is DriftKind.EDITED for d in drifts):
        return ("`archgen generate` updates the others but keeps files edited by hand (and "
                "exits 1); `archgen generate --force` overwrites them. To keep a change across "
                "regenerations, make it in the catalog or in a scaffold file, not in a "
                "managed one.")
    return "Run `archgen generate` to update them."


def _write(out_dir: Path, plan: Plan, kinds: list[str], *, force: bool,
           dry_run: bool, inputs: str | None = None) -> int:
    from archgen import writer
    from archgen.reporting import clean

    result = writer.write(out_dir, plan.files, kinds, force=force, dry_run=dry_run,
                          carried=plan.carried, units=plan.units)
    clean_run = not any(c.action in (writer.Action.SKIP, writer.Action.FOREIGN)
                        for c in result.changes)
    if inputs is not None and clean_run and not dry_run:
        from archgen.writer import fastpath

        fastpath.record(out_dir, inputs, plan.paths, kinds)
    for line in writer.describe(result.changes):
        sys.stdout.write(clean(line) + "\n")
    sys.stdout.write(_summary(result, out_dir) + "\n")
    return EXIT_FINDINGS if result.skipped else EXIT_OK


def _summary(result: WriteResult, out_dir: Path) -> str:
    from archgen.writer import Action

    counts = [(result.count(a), word) for a, word in (
        (Action.CREATE, "created"), (Action.UPDATE, "updated"), (Action.DELETE, "deleted"),
        (Action.UNCHANGED, "unchanged"), (Action.FOREIGN, "left alone (not archgen's)"),
        (Action.SKIP, "skipped"),
        (Action.KEEP, "kept"))]
    text = ", ".join(f"{n} {word}" for n, word in counts if n) or "nothing to do"
    prefix = "Dry run (nothing written): " if result.dry_run else ""
    return f"{prefix}{text} in {out_dir}."


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("Everything, into generated/<system.name>/", "archgen generate shop.yaml"),
        ("Only the API specs, into a folder of your choosing",
         "archgen generate shop.yaml --only openapi,asyncapi -o specs"),
        ("In CI: fail when the committed files are stale",
         "archgen generate shop.yaml -o generated/shop --check"),
    ))(generate)
