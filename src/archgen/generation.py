"""One generation run: the context every generator reads, and the plan of all outputs.

Pure apart from the post-formatter's subprocess: no writes to the output
folder here (the writer does those), no clock (the command passes `today`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from archgen.findings import Finding
from archgen.formatting import post_format
from archgen.model.deployment import deployment
from archgen.model.resolved import ResolvedCatalog
from archgen.output import GenerationContext, OutputFile


def build_context(catalog: ResolvedCatalog, today: date, findings: Sequence[Finding] = (),
                  options: Mapping[str, Mapping[str, object]] | None = None
                  ) -> GenerationContext:
    from archgen.rules import RULES

    return GenerationContext(catalog=catalog, deployment=deployment(catalog), today=today,
                             findings=tuple(findings), rules=RULES, options=options or {})


def plan_outputs(ctx: GenerationContext, kinds: Sequence[str]) -> list[OutputFile]:
    """Every file the chosen generators produce, post-formatted, sorted by path."""
    from archgen.generators import GENERATORS

    files = [f for kind in kinds for f in GENERATORS[kind].plan(ctx)]
    return sorted(post_format(files), key=lambda f: f.path)
