"""Findings: what loading and the rules report, with where it is.

Pure data. Loading, the model builder and the rules produce findings; the
reporters format them. A finding points at a JSON pointer; the span is filled
from the source map so that rules never have to know about YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from archgen.escaping import terminal_text

Pointer = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True, slots=True)
class Span:
    """1-based, end inclusive of the last column's character start (like LSP ranges)."""

    line: int
    col: int
    end_line: int
    end_col: int


def escape_pointer_part(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def json_pointer(pointer: Pointer) -> str:
    """RFC 6901 form: ``/services/order-service/depends_on``."""
    return "".join("/" + escape_pointer_part(p) for p in pointer)


def printable(text: str) -> str:
    """User text as it may appear inside a one-line message: control and bidi characters
    escaped (archgen.escaping.terminal_text)."""
    return terminal_text(text)


def dotted_path(pointer: Pointer) -> str:
    """The path users read in messages: ``services.order-service.nfr``."""
    return printable(".".join(str(p) for p in pointer)) if pointer else "(root)"


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    pointer: Pointer = ()
    span: Span | None = None

    @property
    def json_pointer(self) -> str:
        return json_pointer(self.pointer)

    @property
    def path(self) -> str:
        return dotted_path(self.pointer)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    slug: str
    severity: Severity
    message: str
    location: Location
    hint: str = ""
    related: tuple[Location, ...] = field(default=())

    def with_location(self, location: Location) -> Finding:
        return replace(self, location=location)


def sort_key(finding: Finding) -> tuple[str, int, int, str, str]:
    span = finding.location.span
    return (
        finding.location.file,
        span.line if span else 0,
        span.col if span else 0,
        finding.code,
        finding.message,
    )
