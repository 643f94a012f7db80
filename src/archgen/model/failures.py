"""Failure events and compensations, decided once (docs/catalog-format.md, "Compensation").

A step names the failure events that undo it in `compensated_by`, and its service's
reaction to each is the compensation; a reaction's deadline names the event its timer
emits (`on_timeout`), a failure too. These declarations are what the validator, the
sequence diagrams and the smoke test read. A name alone (`*.failed`, FAILURE_WORDS) is
only a guess: the validator uses it to find a failure nobody declared, and the diagrams
only in a catalog that declares no failure at all.
"""

from __future__ import annotations

from archgen.model.resolved import ResolvedCatalog

# The last part of an event name that says something went wrong.
FAILURE_WORDS = frozenset({"failed", "rejected", "declined", "expired"})


def named_failure(event: str) -> bool:
    """Whether the event's name says it is a failure (`payment.failed`)."""
    return event.rsplit(".", 1)[-1] in FAILURE_WORDS


def declared_failures(catalog: ResolvedCatalog) -> set[str]:
    """The events some step names in `compensated_by`, and those deadlines emit."""
    out: set[str] = set()
    for svc in catalog.services.values():
        for ep in svc.endpoints:
            out.update(ep.spec.compensated_by)
        for sub in svc.consumes:
            out.update(sub.spec.compensated_by)
            if sub.spec.on_timeout is not None:
                out.add(sub.spec.on_timeout)
    return out


def compensations(catalog: ResolvedCatalog) -> set[tuple[str, str]]:
    """(service, event): the service's reaction to the event undoes one of its steps."""
    out: set[tuple[str, str]] = set()
    for svc in catalog.services.values():
        undone = {e for ep in svc.endpoints for e in ep.spec.compensated_by}
        undone |= {e for sub in svc.consumes for e in sub.spec.compensated_by}
        out |= {(svc.name, sub.event) for sub in svc.consumes if sub.event in undone}
    return out
