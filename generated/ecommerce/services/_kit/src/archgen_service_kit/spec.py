"""What a service is, as the kit reads it: the catalog's decisions as typed values.

Each generated service builds one ServiceSpec in its `spec.py`; the kit's modules
take it as an argument instead of importing the service's own modules.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import BaseModel


class Stored(NamedTuple):
    model: type[BaseModel]
    key: str
    indexes: tuple[str, ...]
    fill: dict[str, Any]  # values of required fields a create does not receive


class EventSpec(NamedTuple):
    payload: type[BaseModel]
    topic: str
    key: str | None  # the payload field that is the message key
    dead_letter: str | None
    fill: dict[str, Any]


# field: {operator: value}, all must hold (operators: eq, ne, gt, ge, lt, le, in).
Condition = dict[str, dict[str, Any]]


class ReactionSpec(NamedTuple):
    kind: str  # create | update
    model: str
    match: dict[str, str]  # model field: payload field
    copy: dict[str, str]  # model field: payload field
    set: dict[str, Any]  # model field: literal
    emits: tuple[tuple[str, Condition], ...]  # (event, condition on the result)
    when: Condition  # on the payload: the reaction runs only when it holds


class Deadline(NamedTuple):
    """A reaction's timeout: `event` is emitted `within_s` after the reaction wrote a
    `model` record, if its `field` still holds the state the reaction left (None: always)."""

    model: str
    field: str | None
    within_s: float
    event: str


class Machine(NamedTuple):
    initial: str
    final: tuple[str, ...]
    transitions: dict[str, dict[str, tuple[str, ...]]]  # from: {to: causes, () = anyone}


@dataclass(frozen=True)
class Probes:
    """The paths of the health checks and the metrics (never counted per caller)."""

    live: str = "/health/live"
    ready: str = "/health/ready"
    metrics: str = "/metrics"


@dataclass(frozen=True)
class ServiceSpec:
    """One service's behaviour as the catalog describes it."""

    name: str
    source: str  # the CloudEvents source of what it publishes
    stored: Mapping[str, Stored]
    publishes: Mapping[str, EventSpec]
    consumes: Mapping[str, EventSpec]
    reactions: Mapping[str, ReactionSpec]
    # The fields with a state machine, per stored model: the legal transitions and causes.
    machines: Mapping[str, Mapping[str, Machine]]
    # communication.async.retries: attempts per event before its dead-letter topic.
    retry_attempts: int
    retry_base_ms: int
    probes: Probes = Probes()
    # Per consumed event: the timeout its reaction sets (a timer in the store).
    deadlines: Mapping[str, Deadline] = field(default_factory=dict)


def wire_names(model: type[BaseModel]) -> tuple[str, ...]:
    """The JSON keys of a model's fields, in order: the catalog's names."""
    return tuple(info.alias or name for name, info in model.model_fields.items())
