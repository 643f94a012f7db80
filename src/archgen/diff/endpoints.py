"""AGD1xx: endpoints removed, moved, restricted; status, query, request and response types."""

from __future__ import annotations

from archgen.diff.context import DiffContext, called_by, endpoint_parties
from archgen.diff.fields import compare, describe
from archgen.model.resolved import Endpoint, Service


def check(ctx: DiffContext) -> None:
    for old, new in ctx.service_pairs():
        before = {e.route: e for e in old.endpoints}
        after = {e.route: e for e in new.endpoints}
        gone = [before[r] for r in before if r not in after]
        added = [after[r] for r in after if r not in before]
        for was, now in _moved(gone, added):
            gone.remove(was)
            added.remove(now)
            parties = called_by(endpoint_parties(ctx.old.catalog, old, was))
            ctx.changed("AGD102", f"`{was.route}` of {new.name} became `{now.route}`; the old "
                        f"route was {parties}", _ep(new, now),
                        related=[_ep(old, was)])
        for was in gone:
            _removed(ctx, old, new, was)
        for now in added:
            ctx.changed("AGD190", f"{new.name} adds `{now.route}`", _ep(new, now))
        for route in (r for r in after if r in before and before[r] != after[r]):
            _compare(ctx, old, new, before[route], after[route])


def _ep(service: Service, endpoint: Endpoint) -> tuple[str, ...]:
    return ("services", service.name, "endpoints", endpoint.route)


def _moved(gone: list[Endpoint], added: list[Endpoint]) -> list[tuple[Endpoint, Endpoint]]:
    """Removed and added routes that are one operation: same path, or same method and summary."""
    pairs = []
    free = list(added)
    for was in gone:
        match = next((a for a in free if a.path == was.path), None) or next(
            (a for a in free if a.method == was.method and was.summary
             and a.summary == was.summary), None)
        if match is not None:
            free.remove(match)
            pairs.append((was, match))
    return pairs


def _removed(ctx: DiffContext, old: Service, new: Service, was: Endpoint) -> None:
    parties = endpoint_parties(ctx.old.catalog, old, was)
    internal = [p for p in parties if not p.startswith("public")]
    code = "AGD104" if was.spec.deprecated and not internal else "AGD101"
    ctx.removed(code, f"removes `{was.route}` of {new.name}, {called_by(parties)}",
                _ep(old, was), new_parent=("services", new.name, "endpoints"))


def _compare(ctx: DiffContext, old: Service, new: Service, a: Endpoint, b: Endpoint) -> None:
    where = _ep(new, b)
    who = called_by(endpoint_parties(ctx.old.catalog, old, a))
    name = f"`{b.route}` of {new.name}"
    if a.status != b.status:
        ctx.changed("AGD103", f"{name} answers {b.status} instead of {a.status}; {who}",
                    (*where, "status"))
    if a.public and not b.public:
        ctx.changed("AGD105", f"{name} is no longer public; clients outside the cluster lose "
                    "it", where)
    if a.request is None and b.request is not None:
        ctx.changed("AGD109", f"{name} now requires a `{b.request}` body; {who}",
                    (*where, "request"))
    elif a.request is not None and str(a.request) != str(b.request):
        ctx.changed("AGD110", f"{name} takes `{b.request or 'no body'}` instead of "
                    f"`{a.request}`; {who}", (*where, "request"))
    if a.response is not None and str(a.response) != str(b.response):
        ctx.changed("AGD111", f"{name} returns `{b.response or 'no body'}` instead of "
                    f"`{a.response}`; {who}", (*where, "response"))
    _query(ctx, a, b, where, name, who)


def _query(ctx: DiffContext, a: Endpoint, b: Endpoint, where: tuple[str, ...], name: str,
           who: str) -> None:
    for change in compare(a.query, b.query):
        at = (*where, "query", change.name)
        if change.kind == "removed":
            ctx.removed("AGD107", f"{name} no longer takes the query parameter "
                        f"`{change.name}`; {who}", (*where, "query", change.name),
                        new_parent=where)
        elif change.kind == "added":
            if change.required:
                ctx.changed("AGD106", f"{name} requires a new query parameter "
                            f"`{change.name}`; {who}", at)
            else:
                ctx.changed("AGD290", f"{name} takes a new optional query parameter "
                            f"`{change.name}`", at)
        elif change.kind == "retyped":
            ctx.changed("AGD108", f"query parameter `{change.name}` of {name} changed type "
                        f"({change.detail}); {who}", at)
        elif change.kind == "changed" and describe(change, narrowing=True):
            ctx.changed("AGD108", f"query parameter `{change.name}` of {name} accepts less "
                        f"({describe(change, narrowing=True)}); {who}", at)
