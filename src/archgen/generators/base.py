"""The generator contract: plan(model) -> files. Pure: no disk I/O here.

Only `archgen.writer` writes to disk; generators return what they would write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from archgen.model.resolved import ResolvedCatalog


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file a generator produces. `path` is POSIX, relative to the output folder."""

    path: str
    content: str | bytes
    generator: str
    # Text outputs must be byte-identical across runs; binary renderings
    # (PNG from graphviz) may differ between graphviz builds.
    reproducible: bool = True


class Generator(Protocol):
    name: str
    description: str

    def plan(self, catalog: ResolvedCatalog) -> list[OutputFile]: ...
