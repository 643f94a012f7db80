"""`archgen validate`: load and check catalogs, report, exit 0/1/2."""

from __future__ import annotations

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
from archgen.commands.style import command_settings

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
    from archgen.catalog import catalog_path
    from archgen.findings_run import FindingsOptions, finish
    from archgen.validation import validate_file

    if legacy_output:
        from archgen.commands.common import deprecated

        deprecated("-o/--output FORMAT=FILE on validate", "--report FORMAT=FILE")
    options = FindingsOptions(
        _cli_layer(select or [], ignore or [], fail_on, baseline), config, isolated,
        write_baseline, output_format.value, _reports([*(report or []), *(legacy_output or [])]),
        statistics)
    outcomes: list[tuple[FileReport, str]] = []
    for given in catalogs or [Path("catalog.yaml")]:  # each with its own settings
        path, shown = catalog_path(given)  # a folder stands for its catalog.yaml
        settled = options.settle(path)
        outcomes.append((validate_file(path, shown, settings=settled.settings,
                                       baseline=settled.known), settled.settings.fail_on))
    return finish(outcomes, options)


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("Check ./catalog.yaml", "archgen validate"),
        ("Fail on warnings too, and keep a SARIF report for code scanning",
         "archgen validate shop.yaml --fail-on warning --report sarif=archgen.sarif"),
        ("Only the data-store rules (AG4xx), as JSON",
         "archgen validate shop.yaml --select AG4 --format json"),
    ))(validate)
