"""What the commands that report findings share: the formats, --fail-on, --report FORMAT=FILE."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from archgen.errors import UsageError


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


# The options validate, diff and drift spell alike: declared once, so that they stay alike.
FormatOption = Annotated[OutputFormat, typer.Option(
    "--format", "-f", help="The report format on stdout.")]
ReportOption = Annotated[list[str] | None, typer.Option(
    "--report", metavar="FORMAT=FILE", show_default=False,
    help="Also write the report in FORMAT to FILE (repeatable). "
         "FORMAT: text, full, json, sarif, github, junit, gitlab.")]
ConfigOption = Annotated[Path | None, typer.Option(
    metavar="FILE", help="Use this archgen.toml or pyproject.toml instead of searching.")]
IsolatedOption = Annotated[bool, typer.Option(
    "--isolated", help="Ignore configuration files (archgen.toml, pyproject.toml).")]
WriteBaselineOption = Annotated[Path | None, typer.Option(
    metavar="FILE", help="Record every current finding in this baseline file; exit 0.")]


def parse_reports(specs: list[str]) -> list[tuple[str, Path]]:
    """`--report FORMAT=FILE` options as (format, file)."""
    out = []
    for spec in specs:
        fmt, sep, file = spec.partition("=")
        if not sep or not file or fmt not in OutputFormat.__members__:
            raise UsageError(f"--report {spec!r}: expected FORMAT=FILE",
                             f"FORMAT is one of {', '.join(OutputFormat.__members__)}")
        out.append((fmt, Path(file)))
    return out


def split_items(items: list[str] | None) -> tuple[str, ...]:
    """Repeated comma-separated options (`--select AG1,AG2 --select AG5`) as one tuple."""
    return tuple(s.strip() for item in items or [] for s in item.split(",") if s.strip())
