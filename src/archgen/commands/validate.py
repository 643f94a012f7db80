"""`archgen validate`: load and check catalogs, report, exit 0/1/2."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from archgen.errors import OutputError, UsageError
from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archgen.validation import FileReport


class OutputFormat(StrEnum):
    text = "text"
    full = "full"
    json = "json"
    sarif = "sarif"
    github = "github"
    junit = "junit"
    gitlab = "gitlab"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    none = "none"


def _outputs(specs: list[str]) -> list[tuple[str, Path]]:
    out = []
    for spec in specs:
        fmt, sep, file = spec.partition("=")
        if not sep or not file or fmt not in OutputFormat.__members__:
            raise UsageError(f"-o {spec!r}: write FORMAT=FILE with FORMAT one of "
                             f"{', '.join(OutputFormat.__members__)}")
        out.append((fmt, Path(file)))
    return out


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
        help="Catalog files (default: ./catalog.yaml).")] = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="Format on stdout.")] = OutputFormat.text,
    output: Annotated[list[str] | None, typer.Option(
        "--output", "-o", help="Also write FORMAT=FILE (repeatable), e.g. -o sarif=out.sarif."
    )] = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        help="Lowest severity that fails the run (default: error).")] = None,
    select: Annotated[list[str] | None, typer.Option(
        help="Only these rules: codes, slugs or prefixes (AG3), comma-separated.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        help="Skip these rules: codes, slugs or prefixes, comma-separated.")] = None,
    config: Annotated[Path | None, typer.Option(
        help="Use this archgen.toml or pyproject.toml instead of searching.")] = None,
    isolated: Annotated[bool, typer.Option(
        help="Ignore configuration files (archgen.toml, pyproject.toml).")] = False,
    baseline: Annotated[Path | None, typer.Option(
        help="Suppress the findings recorded in this baseline file.")] = None,
    write_baseline: Annotated[Path | None, typer.Option(
        help="Record every current finding in this baseline file and exit 0.")] = None,
    statistics: Annotated[bool, typer.Option(
        help="Print the number of findings per rule.")] = False,
) -> int:
    """Check catalogs against the format and the architecture template's rules."""
    from archgen.files import write_replacing
    from archgen.reporting import REPORTERS, RunResult, render_statistics
    from archgen.suppression import baseline_text

    targets = _outputs(output or [])
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


def _write(target: Path, text: str, writer: Any) -> None:
    try:
        writer(target, text)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None


def register(app: typer.Typer) -> None:
    app.command()(validate)
