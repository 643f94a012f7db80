"""What was observed of the running system: plain data, read by `archgen.drift.observe`.

Each part is None when the target cannot show it (a Kubernetes namespace has no
broker address here; the local system has no Deployments), so the checks of
that family do not run; a part that should have been readable and was not
carries the reason in `unreadable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Message:
    """A sampled message: its CloudEvents type (header ce_type) and its JSON body."""

    topic: str
    partition: int
    offset: int
    event: str | None  # header ce_type
    source: str | None  # header ce_source: /<system>/<service>
    body: Any  # the decoded JSON, or the raw text when it is not JSON
    decoded: bool


@dataclass(frozen=True)
class Broker:
    topics: frozenset[str]
    # group -> the topics it reads (members' subscriptions, else committed offsets)
    groups: dict[str, frozenset[str]]
    messages: tuple[Message, ...]


@dataclass(frozen=True)
class Workload:
    """One Deployment of the namespace, reduced to what `nfr` says about it."""

    name: str
    replicas: int | None
    hpa_min: int | None
    hpa_max: int | None
    requests: dict[str, str]
    limits: dict[str, str]
    live_path: str | None  # the liveness probe's httpGet path, None without one
    ready_path: str | None


@dataclass
class Observed:
    openapi: dict[str, dict[str, Any]] | None = None  # service -> served document
    # callee -> caller -> requests; callers: a service name, "gateway" or "unidentified"
    calls: dict[str, dict[str, float]] | None = None
    broker: Broker | None = None
    workloads: dict[str, Workload] | None = None
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)  # (code, service, why)
