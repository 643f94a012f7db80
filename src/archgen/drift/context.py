"""What every drift check reads: the resolved catalog, where its nodes are, what was observed."""

from __future__ import annotations

from dataclasses import dataclass, field

from archgen.drift.observed import Observed
from archgen.findings import Finding, Pointer
from archgen.loading import SourceMap
from archgen.model.resolved import ResolvedCatalog
from archgen.rules.drift_codes import DRIFT_CODES


@dataclass
class DriftContext:
    catalog: ResolvedCatalog
    source_map: SourceMap
    observed: Observed
    found: list[Finding] = field(default_factory=list)

    def add(self, code: str, message: str, pointer: Pointer) -> None:
        """A finding at `pointer` in the catalog (its nearest existing ancestor when the
        node is not written there, e.g. a model field the catalog never declared)."""
        rule = DRIFT_CODES[code]
        self.found.append(Finding(code, rule.slug, rule.severity, message,
                                  self.source_map.locate(pointer, key=True), rule.fix))
