"""Rule results for the documents when only the resolved catalog is at hand (`generate`).

`archgen docs` passes the validator's own report. This path runs the same
validation (`validation.check`: the catalog's `rules:` block, its severities,
selections and `rules.ignore`) without the source text, so only inline
`# archgen: ignore` comments and `x-archgen-ignore` data are out of reach here.
The documents show paths, not line numbers, so both paths print the same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from archgen.catalog import LoadResult
from archgen.docs.checklist import ChecklistRule
from archgen.findings import Finding
from archgen.loading import SourceMap
from archgen.model.resolved import ResolvedCatalog


def rule_results(catalog: ResolvedCatalog) -> tuple[list[Finding], Mapping[str, ChecklistRule]]:
    from archgen.config import Settings
    from archgen.rules import RULES
    from archgen.validation import check

    loaded = LoadResult("catalog.yaml", catalog, SourceMap("catalog.yaml"))
    report = check(loaded, "", Settings(), frozenset(), date.today())
    return report.findings, RULES
