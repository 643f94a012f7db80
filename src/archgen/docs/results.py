"""Rule results for the documents when only the resolved catalog is at hand (`generate`).

`archgen docs` passes the validator's own report instead; this path runs the
rules at their configured severities without a source map, which is all the
documents show (paths, not line numbers), so both paths print the same text.
"""

from __future__ import annotations

from collections.abc import Mapping

from archgen.catalog import LoadResult
from archgen.docs.checklist import ChecklistRule
from archgen.findings import Finding
from archgen.loading import SourceMap
from archgen.model.resolved import ResolvedCatalog


def rule_results(catalog: ResolvedCatalog) -> tuple[list[Finding], Mapping[str, ChecklistRule]]:
    from archgen.rules import RULES, effective_severities, run_rules

    block = catalog.spec.rules
    enabled = effective_severities(block.select if block else (), (),
                                   dict(block.severity) if block else None)
    loaded = LoadResult("catalog.yaml", catalog, SourceMap("catalog.yaml"))
    return run_rules(loaded, enabled), RULES
