"""Who may write a model field, and to which value: the causes state machines name.

An endpoint writes the fields of its request model into the model it answers
(`PUT /deliveries/{id}` with a request carrying `status`); a reaction that
updates a model writes its `set` literals and `copy` fields. Creating is not a
transition: a new instance starts in the initial state. Rules and the service
generator read this, so both agree on what a cause is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from archgen.model.resolved import Endpoint, Service, Subscription

ANY = None  # a writer that may put any value into the field


@dataclass(frozen=True, slots=True)
class Writer:
    cause: str  # the route (`PUT /path`) or the consumed event
    value: str | None  # the value it writes, ANY when it comes from a request or a payload


def updates(svc: Service, ep: Endpoint) -> str | None:
    """The model a PUT endpoint updates by default (its response model), else None."""
    ref = ep.response
    if ep.method != "PUT" or not ep.path_params or ref is None or ref.kind != "model":
        return None
    return ref.name if ref.name in svc.models else None


def writers(svc: Service, model: str, field: str) -> Iterator[Writer]:
    for ep in svc.endpoints:
        request = svc.models.get(ep.request.name) if ep.request and ep.request.kind == "model" \
            else None
        if updates(svc, ep) == model and request is not None and any(
                f.name == field for f in request.fields):
            yield Writer(ep.route, ANY)
    for sub in svc.consumes:
        yield from _reaction_writes(sub, model, field)


def _reaction_writes(sub: Subscription, model: str, field: str) -> Iterator[Writer]:
    reaction = sub.reaction
    if reaction is None or reaction.kind != "update" or reaction.model != model:
        return
    if field in reaction.set:
        yield Writer(sub.event, str(reaction.set[field]))
    elif field in reaction.copy:
        yield Writer(sub.event, ANY)


def causes(svc: Service) -> set[str]:
    """What a transition may name as its cause: the service's routes and consumed events."""
    return {ep.route for ep in svc.endpoints} | {sub.event for sub in svc.consumes}


def may_refuse(svc: Service, ep: Endpoint) -> bool:
    """Whether the endpoint's default behaviour can make a state move its machine refuses
    (answered 409): a POST or PUT answering a model with a state machine whose field the
    request carries."""
    ref, request = ep.response, ep.request
    if ep.method not in ("POST", "PUT") or ref is None or ref.kind != "model" \
            or request is None or request.kind != "model":
        return False
    model, body = svc.models.get(ref.name), svc.models.get(request.name)
    if model is None or body is None:
        return False
    carried = {f.name for f in body.fields}
    return any(f.machine is not None and f.name in carried for f in model.fields)
