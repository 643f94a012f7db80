"""What every diff check reads: both resolved catalogs, where their nodes are, the renames.

Changes are located in the NEW file, removals in the OLD one (with the NEW
parent, when there is one, as a related location so CI annotations land on a
file of the pull request). Affected parties are derived here, once, from the
catalog: who calls an endpoint, who consumes an event, who depends on a service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from archgen.findings import Finding, Location, Pointer
from archgen.loading import SourceMap
from archgen.model.aggregation_calls import parse_call
from archgen.model.resolved import Endpoint, ResolvedCatalog, Service
from archgen.rules.diff_codes import DIFF_CODES

RENAMED_FROM = "x-renamed-from"


@dataclass(frozen=True)
class Side:
    catalog: ResolvedCatalog
    source_map: SourceMap

    def locate(self, pointer: Pointer) -> Location:
        return self.source_map.locate(pointer, key=True)


def _renames(entries: Iterable[tuple[str, dict[str, object]]]) -> dict[str, str]:
    """New name -> old name, from `x-renamed-from: old` on the renamed thing."""
    out: dict[str, str] = {}
    for name, extensions in entries:
        old = extensions.get(RENAMED_FROM)
        if isinstance(old, str) and old and old != name:
            out[name] = old
    return out


@dataclass
class DiffContext:
    old: Side
    new: Side
    removals_in_new: bool = False  # locate removals at their NEW parent (CI annotations)
    found: list[Finding] = field(default_factory=list)

    @cached_property
    def service_renames(self) -> dict[str, str]:
        return _renames((n, s.spec.extensions) for n, s in self.new.catalog.services.items())

    @cached_property
    def event_renames(self) -> dict[str, str]:
        return _renames((p.event, p.spec.extensions) for s in self.new.catalog.services.values()
                        for p in s.publishes)

    def old_service(self, new_name: str) -> Service | None:
        return self.old.catalog.services.get(self.service_renames.get(new_name, new_name))

    @cached_property
    def _renamed_to(self) -> dict[str, str]:
        return {old: new for new, old in self.service_renames.items()}

    def new_service_name(self, old_name: str) -> str | None:
        """The name an OLD service has in NEW (itself, or its new name), None when removed."""
        if old_name in self._renamed_to:
            return self._renamed_to[old_name]
        return old_name if old_name in self.new.catalog.services else None

    def service_pairs(self) -> list[tuple[Service, Service]]:
        """(old, new) for every service present on both sides, renames included."""
        pairs = []
        for name in sorted(self.new.catalog.services):
            old = self.old_service(name)
            if old is not None:
                pairs.append((old, self.new.catalog.services[name]))
        return pairs

    # ------------------------------------------------------------ reporting
    def changed(self, code: str, message: str, pointer: Pointer, *,
                related: Iterable[Pointer] = ()) -> None:
        """A change, located in the NEW file; `related` pointers are in the OLD one."""
        self._add(code, message, self.new.locate(pointer),
                  tuple(self.old.locate(p) for p in related))

    def removed(self, code: str, message: str, pointer: Pointer, *,
                new_parent: Pointer | None = None) -> None:
        """A removal, located in the OLD file; the NEW parent (if any) as related location.

        With `removals_in_new`, the other way round: the span of the NEW parent (a
        file of the pull request, where annotations can show), the OLD node related.
        The pointer stays the removed node's, so inline and path suppressions match.
        """
        if self.removals_in_new and new_parent is not None:
            where = Location(self.new.source_map.file, pointer,
                             self.new.source_map.span(new_parent, key=True))
            self._add(code, message, where, (self.old.locate(pointer),))
            return
        related = () if new_parent is None else (self.new.locate(new_parent),)
        self._add(code, message, self.old.locate(pointer), related)

    def _add(self, code: str, message: str, where: Location,
             related: tuple[Location, ...]) -> None:
        rule = DIFF_CODES[code]
        self.found.append(Finding(code, rule.slug, rule.severity, message, where, rule.fix,
                                  related))


# ---------------------------------------------------------------- affected parties
def join(names: Iterable[str], empty: str = "nobody in the catalog") -> str:
    items = list(names)
    if not items:
        return empty
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def gateway_exposes(catalog: ResolvedCatalog) -> bool:
    gw = catalog.gateway
    return gw is not None and gw.technology != "none"


def endpoint_parties(catalog: ResolvedCatalog, service: Service, endpoint: Endpoint
                     ) -> list[str]:
    """Who breaks when this endpoint changes: callers, gateway aggregations, the public."""
    parties = []
    for caller in sorted(service.downstream):
        dep = next((d for d in catalog.services[caller].dependencies
                    if d.target == service.name), None)
        if dep is None:
            continue
        if endpoint.route in dep.calls:
            parties.append(f"{caller} (calls it)")
        elif not dep.calls:
            parties.append(f"{caller} (depends_on)")
    gw = catalog.gateway
    for route, agg in sorted((gw.aggregations if gw else {}).items()):
        if any(c.service == service.name and c.serves(endpoint.method, endpoint.path)
               for c in map(parse_call, agg.calls)):
            parties.append(f"the gateway aggregation {route}")
    if endpoint.public:
        parties.append("public through the gateway" if gateway_exposes(catalog) else "public")
    return parties


def called_by(parties: list[str]) -> str:
    if not parties:
        return "no known caller"
    callers = [p for p in parties if not p.startswith("public")]
    public = [p for p in parties if p.startswith("public")]
    text = f"called by {join(callers)}" if callers else ""
    if public:
        text = f"{text}; {public[0]}" if text else public[0]
    return text


def service_parties(catalog: ResolvedCatalog, service: Service) -> list[str]:
    """Services that depend on it, consumers of events only it publishes, its public routes."""
    parties = [f"{d} (depends_on)" for d in sorted(service.downstream)]
    for pub in service.publishes:
        event = catalog.events.get(pub.event)
        if event is None or set(event.producers) != {service.name}:
            continue
        parties += [f"{c} (consumes {pub.event})" for c in event.consumers
                    if c != service.name]
    public = [e.route for e in service.endpoints if e.public]
    if public:
        parties.append(f"{len(public)} public endpoint(s)")
    return parties
