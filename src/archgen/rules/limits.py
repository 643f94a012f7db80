"""AG016-AG017: catalogs the generators could not turn into readable output.

The limits themselves live in archgen.limits, shared with the generators that
rely on them (AG014 reports a type nested past MAX_TYPE_DEPTH, at parse time).
"""

from __future__ import annotations

from collections.abc import Iterator

from archgen.findings import Finding, Pointer, Severity
from archgen.limits import MAX_DEPENDENCIES, MAX_LABEL_CHARS
from archgen.model.resolved import ResolvedCatalog
from archgen.rules.base import LOADING, Rule, RuleContext, rule

_HEAD = "archgen: 1\nsystem: {name: shop}\n"


def labels(catalog: ResolvedCatalog) -> Iterator[tuple[Pointer, str]]:
    """The catalog text diagrams draw as labels (names are DNS labels, short by rule)."""
    yield ("system", "title"), catalog.system.title or ""
    for part in ("gateway", "mesh", "event_bus"):
        section = getattr(catalog, part)
        if section is not None:
            yield (part, "technology"), section.technology or ""
    for name, svc in catalog.services.items():
        yield ("services", name, "bounded_context"), svc.bounded_context or ""
        tech = svc.spec.technology
        if tech is not None:
            yield ("services", name, "technology", "language"), tech.language or ""
            yield ("services", name, "technology", "framework"), tech.framework or ""
        store = svc.spec.data_store
        if store is not None:
            yield ("services", name, "data_store", "technology"), store.technology or ""


@rule("AG016", "label-too-long", "Text drawn as a diagram label is too long", Severity.ERROR,
      LOADING,
      explanation=f"Titles, bounded contexts and technologies are drawn as labels. Past "
                  f"{MAX_LABEL_CHARS} characters a label makes a diagram unreadable, and past "
                  "16,384 graphviz refuses to draw it at all.",
      fix="Shorten it; put the long text in a `description`.",
      bad=_HEAD + "services: {a: {bounded_context: " + "Orders " * 40 + "}}\n",
      good=_HEAD + "services: {a: {bounded_context: Orders}}\n")
def label_too_long(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for pointer, text in labels(ctx.catalog):
        if len(text) > MAX_LABEL_CHARS:
            yield self.finding(ctx, f"{'.'.join(map(str, pointer))} is {len(text)} characters "
                               f"long; the limit for text drawn as a label is "
                               f"{MAX_LABEL_CHARS}", pointer)


@rule("AG017", "too-many-dependencies", "A service depends on too many services",
      Severity.WARNING, LOADING,
      explanation=f"A service that calls more than {MAX_DEPENDENCIES} others is a distributed "
                  "monolith's hub, and a system of them cannot be drawn: graphviz ran 150 "
                  "services with 60 dependencies each into its timeout.",
      fix="Split the service, or route the calls through events or an aggregating service.",
      bad=_HEAD + "services:\n  a: {depends_on: [" + ", ".join(f"s{i}" for i in range(31))
      + "]}\n",
      good=_HEAD + "services:\n  a: {depends_on: [b]}\n  b: {}\n")
def too_many_dependencies(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        count = len(svc.spec.depends_on)
        if count > MAX_DEPENDENCIES:
            yield self.finding(ctx, f"{name} depends on {count} services; the limit is "
                               f"{MAX_DEPENDENCIES}", ("services", name, "depends_on"))


RULES = (label_too_long, too_many_dependencies)
