"""AGD4xx: services removed or renamed, new cycles, latency budgets, lowered SLAs."""

from __future__ import annotations

from archgen.diff.context import DiffContext, join, service_parties
from archgen.graph import cycles, sync_graph, worst_chains
from archgen.model.resolved import ResolvedCatalog, Service


def check(ctx: DiffContext) -> None:
    _removed_renamed_added(ctx)
    _cycles(ctx)
    _latency_budgets(ctx)
    _slas(ctx)


def _removed_renamed_added(ctx: DiffContext) -> None:
    for name, service in ctx.old.catalog.services.items():
        now = ctx.new_service_name(name)
        if now is None:
            # Parties removed in the same change are not broken by it.
            parties = [p for p in service_parties(ctx.old.catalog, service)
                       if p.split(" ")[0] not in ctx.old.catalog.services
                       or ctx.new_service_name(p.split(" ")[0]) is not None]
            code = "AGD401" if parties else "AGD402"
            ctx.removed(code, f"service {name} was removed; used by {join(parties)}",
                        ("services", name), new_parent=("services",))
        elif now != name:
            callers = join(_callers(ctx.new.catalog, now))
            ctx.changed("AGD403", f"service {name} is now {now}: its address changes for "
                        f"{callers}", ("services", now, "x-renamed-from"))
    for name in ctx.new.catalog.services:
        if ctx.old_service(name) is None:
            ctx.changed("AGD490", f"service {name} is new", ("services", name))


def _callers(catalog: ResolvedCatalog, name: str) -> list[str]:
    return sorted(catalog.services[name].downstream)


def _old_edges(ctx: DiffContext) -> set[tuple[str, str]]:
    """OLD synchronous edges under NEW names (a rename is not a new dependency)."""
    edges = set()
    for service in ctx.old.catalog.services.values():
        source = ctx.new_service_name(service.name) or service.name
        for dep in service.dependencies:
            edges.add((source, ctx.new_service_name(dep.target) or dep.target))
    return edges


def _dep_pointer(ctx: DiffContext, source: str, target: str) -> tuple[str | int, ...]:
    names = list(ctx.new.catalog.services[source].spec.depends_on)
    pointer: tuple[str | int, ...] = ("services", source, "depends_on", target)
    if pointer in ctx.new.source_map.keys:
        return pointer
    return ("services", source, "depends_on", names.index(target))


def _cycles(ctx: DiffContext) -> None:
    old = _old_edges(ctx)
    for cycle in cycles(sync_graph(ctx.new.catalog)):
        edges = list(zip(cycle, [*cycle[1:], cycle[0]], strict=True))
        fresh = [e for e in edges if e not in old]
        if fresh:
            source, target = fresh[0]
            path = " -> ".join([*cycle, cycle[0]])
            ctx.changed("AGD404", f"{source} now calls {target} synchronously, closing the "
                        f"cycle {path}", _dep_pointer(ctx, source, target))


def _budget(service: Service) -> float | None:
    nfr = service.nfr
    if nfr is None:
        return None
    return nfr.latency_p99_ms or nfr.latency_p95_ms


def _latency_budgets(ctx: DiffContext) -> None:
    old_edges = _old_edges(ctx)
    old_chains = worst_chains(sync_graph(ctx.old.catalog))
    for name, chain in worst_chains(sync_graph(ctx.new.catalog)).items():
        service = ctx.new.catalog.services[name]
        budget = _budget(service)
        if budget is None or chain.budget_ms <= budget or len(chain.services) < 2:
            continue
        was_name = ctx.service_renames.get(name, name)
        before = old_chains.get(was_name)
        if before is not None and before.budget_ms > budget:
            continue  # already over budget: the validator's business, not this change's
        hops = list(zip(chain.services, chain.services[1:], strict=False))
        fresh = next((h for h in hops if h not in old_edges), None)
        if fresh is None:
            continue
        ctx.changed("AGD405", f"{fresh[0]} now calls {fresh[1]}: the worst call chain of "
                    f"{name} ({' -> '.join(chain.services)}) may take {chain.budget_ms} ms, "
                    f"over its {budget:g} ms latency promise", _dep_pointer(ctx, *fresh))


def _slas(ctx: DiffContext) -> None:
    for old, new in ctx.service_pairs():
        a, b = old.nfr, new.nfr
        if a is None or b is None:
            continue
        callers = [ctx.new.catalog.services[c] for c in new.downstream]
        if a.availability and b.availability and b.availability < a.availability:
            above = [c.name for c in callers if c.nfr and c.nfr.availability
                     and c.nfr.availability > b.availability]
            _sla(ctx, new, "availability", f"{a.availability:g}% -> {b.availability:g}%",
                 above, "promise more availability")
        old_p, new_p = _budget(old), _budget(new)
        if old_p and new_p and new_p > old_p:
            slower = [c.name for c in callers if _budget(c) and new_p >= (_budget(c) or 0)]
            key = "latency_p99_ms" if b.latency_p99_ms else "latency_p95_ms"
            _sla(ctx, new, key, f"{old_p:g} ms -> {new_p:g} ms", slower,
                 "promise a lower latency")


def _sla(ctx: DiffContext, service: Service, key: str, change: str, callers: list[str],
         promise: str) -> None:
    at = ("services", service.name, "nfr", key)
    if callers:
        ctx.changed("AGD406", f"{service.name} lowers its {key} ({change}); its callers "
                    f"{join(callers)} {promise}", at)
    else:
        ctx.changed("AGD407", f"{service.name} lowers its {key} ({change})", at)
