"""What the commands that report findings share: the formats, --fail-on, --report FORMAT=FILE."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from archgen.errors import OutputError, UsageError


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


def write_report(target: Path, text: str, writer: Any) -> None:
    try:
        writer(target, text)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
