"""Typed SARIF 2.1.0 objects: the subset archgen writes, serialized by one function.

Hand-written rather than `sarif-pydantic` (its Result has `suppression`, not the
spec's `suppressions` array, and Run lacks `columnKind`) or `sarif-om`
(untyped): small frozen dataclasses that mypy checks, named as in the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
Level = Literal["error", "warning", "note", "none"]
SuppressionKind = Literal["inSource", "external"]
_RENAMED = {"schema": "$schema"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return _RENAMED.get(name, head + "".join(p.title() for p in rest))


def to_json(value: Any) -> Any:
    """Dataclass -> camelCase dict without None (SARIF omits absent properties)."""
    if hasattr(value, "__dataclass_fields__"):
        return {_camel(f.name): to_json(getattr(value, f.name)) for f in fields(value)
                if getattr(value, f.name) is not None}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Message:
    text: str
    markdown: str | None = None


@dataclass(frozen=True)
class ArtifactLocation:
    uri: str
    uri_base_id: str | None = None


@dataclass(frozen=True)
class Region:
    start_line: int
    start_column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class PhysicalLocation:
    artifact_location: ArtifactLocation
    region: Region | None = None


@dataclass(frozen=True)
class LogicalLocation:
    fully_qualified_name: str
    name: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Location:
    physical_location: PhysicalLocation
    logical_locations: tuple[LogicalLocation, ...] | None = None
    id: int | None = None
    message: Message | None = None


@dataclass(frozen=True)
class ReportingConfiguration:
    level: Level
    enabled: bool = True


@dataclass(frozen=True)
class ReportingDescriptor:
    id: str
    name: str
    short_description: Message
    full_description: Message
    help: Message
    help_uri: str
    default_configuration: ReportingConfiguration
    properties: dict[str, Any] | None = None


@dataclass(frozen=True)
class ToolComponent:
    name: str
    version: str
    semantic_version: str
    information_uri: str
    rules: tuple[ReportingDescriptor, ...]


@dataclass(frozen=True)
class Tool:
    driver: ToolComponent


@dataclass(frozen=True)
class Suppression:
    kind: SuppressionKind
    justification: str
    status: Literal["accepted", "underReview", "rejected"] = "accepted"


@dataclass(frozen=True)
class Result:
    rule_id: str
    rule_index: int
    level: Level
    message: Message
    locations: tuple[Location, ...]
    partial_fingerprints: dict[str, str]
    related_locations: tuple[Location, ...] | None = None
    suppressions: tuple[Suppression, ...] | None = None


@dataclass(frozen=True)
class Invocation:
    execution_successful: bool
    exit_code: int
    command_line: str | None = None


@dataclass(frozen=True)
class Run:
    tool: Tool
    invocations: tuple[Invocation, ...]
    results: tuple[Result, ...]
    original_uri_base_ids: dict[str, ArtifactLocation]
    column_kind: Literal["unicodeCodePoints", "utf16CodeUnits"] = "unicodeCodePoints"


@dataclass(frozen=True)
class Log:
    runs: tuple[Run, ...]
    version: Literal["2.1.0"] = "2.1.0"
    schema: str = SCHEMA_URI
