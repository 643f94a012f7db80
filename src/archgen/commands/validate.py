"""`archgen validate`: load and check catalogs, report, exit 0/1/2."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from archgen.commands.report_options import (
    ConfigOption,
    FailOn,
    FormatOption,
    IsolatedOption,
    OutputFormat,
    ReportOption,
    WriteBaselineOption,
)
from archgen.commands.report_options import parse_reports as _reports
from archgen.commands.report_options import write_report as _write
from archgen.commands.style import command_settings
from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archgen.validation import FileReport


def _cli_layer(select: list[str], ignore: list[str], fail_on: FailOn | None,
               baseline: Path | None) -> dict[str, Any]:
    layer: dict[str, Any] = {}
    if select:
        layer["select"] = [s for item in select for s in item.split(",") if s.strip()]
    if ignore:
        layer["ignore"] = [s for item in ignore for s in item.split(",") if s.strip()]
    if fail_on is not None:
        layer["fail-on"] = fail_on.value
    if baseline is not None:
        layer["baseline"] = str(baseline)
    return layer


def validate(
    catalogs: Annotated[list[Path] | None, typer.Argument(
        metavar="CATALOG", show_default=False,
        help="One or more catalog files.  [default: catalog.yaml]")] = None,
    output_format: FormatOption = OutputFormat.text,
    report: ReportOption = None,
    legacy_output: Annotated[list[str] | None, typer.Option(
        "--output", "-o", hidden=True, help="Deprecated spelling of --report.")] = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        show_default=False,
        help="The lowest severity that fails the run (exit 1).  [default: error]")] = None,
    select: Annotated[list[str] | None, typer.Option(
        metavar="RULES", show_default=False,
        help="Check only these rules: codes, slugs or code prefixes (AG3), comma-separated.")
                      ] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        metavar="RULES", show_default=False,
        help="Skip these rules: codes, slugs or code prefixes, comma-separated.")] = None,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    baseline: Annotated[Path | None, typer.Option(
        metavar="FILE", help="Suppress the findings recorded in this baseline file.")] = None,
    write_baseline: WriteBaselineOption = None,
    statistics: Annotated[bool, typer.Option(
        "--statistics", help="Also print the number of findings per rule.")] = False,
) -> int:
    """Check catalogs against the format and the rules.

    The rules come from the architecture template; `archgen rules` lists them.
    """
    from archgen.files import write_replacing
    from archgen.reporting import REPORTERS, RunResult, render_statistics
    from archgen.suppression import baseline_text

    if legacy_output:
        from archgen.commands.common import deprecated

        deprecated("-o/--output FORMAT=FILE on validate", "--report FORMAT=FILE")
    targets = _reports([*(report or []), *(legacy_output or [])])
    layer = _cli_layer(select or [], ignore or [], fail_on, baseline)
    reports, failed = _check_all(catalogs or [Path("catalog.yaml")], layer, config, isolated,
                                 use_baseline=write_baseline is None)
    if write_baseline is not None:
        _write(write_baseline, baseline_text(f for r in reports for f in r.findings),
               write_replacing)
        count = sum(len(r.findings) for r in reports)
        sys.stdout.write(f"Wrote {count} finding(s) to the baseline {write_baseline}.\n")
        return EXIT_OK
    code = EXIT_FINDINGS if failed else EXIT_OK
    run = RunResult(reports, code, Path.cwd(), "archgen " + " ".join(sys.argv[1:]))
    sys.stdout.write(REPORTERS[output_format.value](run))
    if statistics:  # after text; on stderr when stdout must stay parseable (json, sarif...)
        text_like = output_format in (OutputFormat.text, OutputFormat.full)
        (sys.stdout if text_like else sys.stderr).write(render_statistics(run))
    for fmt, target in targets:
        _write(target, REPORTERS[fmt](run), write_replacing)
    return code


def _check_all(paths: list[Path], layer: dict[str, Any], config: Path | None, isolated: bool,
               *, use_baseline: bool) -> tuple[list[FileReport], bool]:
    """Validate each catalog with its own settings (config files are found per catalog)."""
    from archgen.catalog import catalog_path
    from archgen.config import resolve
    from archgen.suppression import read_baseline
    from archgen.validation import exceeds, validate_file

    reports: list[FileReport] = []
    failed = False
    for given in paths:
        path, shown = catalog_path(given)  # a folder stands for its catalog.yaml
        settings = resolve(path, layer, os.environ, config=config, isolated=isolated)
        known = (read_baseline(settings.baseline) if settings.baseline and use_baseline
                 else frozenset())
        report = validate_file(path, shown, settings=settings, baseline=known)
        failed = failed or exceeds([report], settings.fail_on)
        reports.append(report)
    return reports, failed


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("Check ./catalog.yaml", "archgen validate"),
        ("Fail on warnings too, and keep a SARIF report for code scanning",
         "archgen validate shop.yaml --fail-on warning --report sarif=archgen.sarif"),
        ("Only the data-store rules (AG4xx), as JSON",
         "archgen validate shop.yaml --select AG4 --format json"),
    ))(validate)
