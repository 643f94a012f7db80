"""AGD2xx: fields of a service's models, judged by where the model travels.

A model reached from an endpoint's request is written by callers (narrowing
breaks them); one reached from a response or an event payload is read
(removing or widening breaks readers). The direction is taken from both
catalogs, so a model that stops being used still counts for its old readers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from archgen.diff.context import DiffContext, called_by, endpoint_parties, join
from archgen.diff.fields import FieldChange, compare, describe
from archgen.model.fieldtypes import TypeRef
from archgen.model.resolved import Model, ResolvedCatalog, Service


@dataclass
class Usage:
    """Where a model travels: the contracts that write it and that read it."""

    writers: list[str] = field(default_factory=list)  # "request of `POST /x` (called by ...)"
    readers: list[str] = field(default_factory=list)


def check(ctx: DiffContext) -> None:
    for old, new in ctx.service_pairs():
        changed = [(old.models[n], m) for n, m in new.models.items()
                   if n in old.models and old.models[n] != m]
        if not changed:
            continue
        usage = _usage(ctx.old.catalog, old)  # who reads and writes: only once something changed
        for before, after in changed:
            _model(ctx, new, before, after, usage.get(after.name, Usage()))


def _closure(models: Mapping[str, Model], roots: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in models:
            continue
        seen.add(name)
        todo.extend(models[name].model_refs())
    return seen


def _usage(catalog: ResolvedCatalog, service: Service) -> dict[str, Usage]:
    out: dict[str, Usage] = {}
    for ep in service.endpoints:
        who = called_by(endpoint_parties(catalog, service, ep))
        for ref, writes in ((ep.request, True), (ep.response, False)):
            if ref is None:
                continue
            side = "request" if writes else "response"
            for name in _closure(service.models, ref.model_names()):
                usage = out.setdefault(name, Usage())
                (usage.writers if writes else usage.readers).append(
                    f"the {side} of `{ep.route}` ({who})")
    for pub in service.publishes:
        roots = [n for f in pub.payload for n in _names(f.type)]
        consumers = catalog.events[pub.event].consumers if pub.event in catalog.events else ()
        for name in _closure(service.models, roots):
            out.setdefault(name, Usage()).readers.append(
                f"event {pub.event} (consumed by {join(consumers)})")
    return out


def _names(ref: TypeRef) -> tuple[str, ...]:
    return ref.model_names()


def _model(ctx: DiffContext, service: Service, a: Model, b: Model, usage: Usage) -> None:
    where = ("services", service.name, "models", b.name)
    for change in compare(a.fields, b.fields):
        subject = f"field `{change.name}` of {service.name} model {b.name}"
        for code, what, users in _verdicts(change, usage):
            message = f"{subject} {what}, in {join(users[:3])}" if users else \
                f"{subject} {what}"
            if code in ("AGD202", "AGD204") or (code == "AGD207" and change.kind == "removed"):
                ctx.removed(code, message, (*where, change.name), new_parent=where)
            else:
                ctx.changed(code, message, (*where, change.name))


def _verdicts(c: FieldChange, usage: Usage) -> list[tuple[str, str, list[str]]]:
    """(code, what happened, affected contracts) for each direction the model travels."""
    w, r = usage.writers, usage.readers
    if not w and not r:
        return [] if c.kind == "added" else [("AGD207", _what(c), [])]
    out: list[tuple[str, str, list[str]]] = []
    if c.kind == "removed":
        out += [("AGD204", "was removed", r)] if r else [("AGD202", "was removed", w)]
    elif c.kind == "added":
        out += [("AGD201", "was added as required", w)] if w and c.required else [
            ("AGD290", "was added", [*w, *r])]
    elif c.kind == "retyped":
        out += [("AGD203", f"changed type ({c.detail})", w)] if w else []
        out += [("AGD205", f"changed type ({c.detail})", r)] if r else []
    else:
        narrow, wide = describe(c, narrowing=True), describe(c, narrowing=False)
        if w and narrow:
            out.append(("AGD203", f"accepts less ({narrow})", w))
        if r and c.widened:
            out.append(("AGD205", f"may hold more ({wide})", r))
        elif r and c.enum_added:
            out.append(("AGD206", f"may hold more ({wide})", r))
        if not out:
            out.append(("AGD290", f"changed compatibly ({narrow or wide})", [*w, *r]))
    return out


def _what(c: FieldChange) -> str:
    if c.kind == "retyped":
        return f"changed type ({c.detail})"
    if c.kind == "removed":
        return "was removed"
    facets = (describe(c, narrowing=True), describe(c, narrowing=False))
    return f"changed ({'; '.join(p for p in facets if p)})"
