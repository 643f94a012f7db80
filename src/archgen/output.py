"""The output contract every generator speaks: OutputFile, the run's context, the protocol.

A leaf module: at run time it imports nothing of archgen's, so any generator,
the writer and the commands can import it without pulling in each other
(docs/architecture.md, "The output contract").

Ownership is the heart of regeneration:
- MANAGED files are archgen's: rewritten on every run, reported as drift when
  edited, removed when the catalog no longer produces them.
- SCAFFOLD files are the team's: created once when missing, then never
  rewritten, never reported as drift, never deleted. A generator declares one
  by returning ``OutputFile(..., ownership=Ownership.SCAFFOLD)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from archgen.findings import Finding
    from archgen.model.deployment import Deployment
    from archgen.model.resolved import ResolvedCatalog


class Ownership(StrEnum):
    MANAGED = "managed"
    SCAFFOLD = "scaffold"


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file a generator produces. `path` is POSIX, relative to the output folder."""

    path: str
    content: str | bytes
    generator: str
    ownership: Ownership = Ownership.MANAGED
    executable: bool = False  # scripts and entrypoints: the writer sets the x bits
    # Text outputs must be byte-identical across runs; renderings by external
    # tools (PNG/SVG from graphviz) may differ between tool builds, so --check
    # compares those against the manifest's hash instead of re-rendering them.
    reproducible: bool = True

    @property
    def data(self) -> bytes:
        return self.content.encode("utf-8") if isinstance(self.content, str) else self.content


class RuleInfo(Protocol):
    """What an output needs to know of a rule (the docs tick the checklist from it)."""

    @property
    def code(self) -> str: ...

    @property
    def checklist(self) -> str | None: ...


@dataclass(frozen=True)
class GenerationContext:
    """Everything a generator may read. Generators read nothing else: no clock, no
    environment, no module state, so the same context always gives the same files (the
    services generator also reads the migrations already written in the output folder its
    `output_dir` option names: revisions are written once)."""

    catalog: ResolvedCatalog
    deployment: Deployment
    today: date  # the run's clock, fixed once (suppressions' `until`, never a timestamp)
    findings: tuple[Finding, ...] = ()
    rules: Mapping[str, RuleInfo] = field(default_factory=dict)
    # Per-generator options, keyed by generator name (e.g. {"diagrams": {"formats": [...]}}).
    options: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    # What a generator could not make (a view graphviz failed on): said by the command,
    # which writes the rest and exits 1. The run's own list, never a generator's state.
    problems: list[str] = field(default_factory=list)

    def option(self, generator: str, name: str, default: object = None) -> object:
        return self.options.get(generator, {}).get(name, default)


@dataclass(frozen=True)
class Unit:
    """Part of a generator's output planned on its own inputs: one service's files,
    one diagram view, one system-wide config.

    `inputs` fingerprints exactly what `render` reads (generators/inputs.py); a run
    that finds the same fingerprint recorded, and the unit's files on disk as
    written, skips rendering, formatting and hashing them (generation.py). None:
    rendered on every run.
    """

    key: str
    inputs: str | None
    render: Callable[[], list[OutputFile]]


@runtime_checkable
class PlannedPerUnit(Protocol):
    """A generator that also offers its output as units (plan() renders them all)."""

    name: str

    def units(self, ctx: GenerationContext) -> list[Unit]: ...


class Generator(Protocol):
    name: str
    description: str

    def plan(self, ctx: GenerationContext) -> list[OutputFile]: ...
