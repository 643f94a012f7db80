"""What to call on a running system: create requests, path parameters, the flow to follow.

Derived from the catalog alone, so the smoke and load tests work for any
catalog shaped like the template's (a POST that creates, GETs that read).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from archgen.model.resolved import Endpoint, ResolvedCatalog, Service
from archgen.runtime.examples import example

_PARAM = re.compile(r"\{([^{}]+)\}")
_FAILURE_WORDS = ("cancel", "fail", "reject", "declin", "refund", "error", "abort")


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    path: str
    route: str
    body: Any = None

    def json_body(self) -> str | None:
        return None if self.body is None else json.dumps(self.body)


def snake(name: str) -> str:
    """`customerId` -> `customer_id`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def fill_path(path: str, values: Mapping[str, Any]) -> str:
    """Path parameters from `values` (by name or snake_case name); `dev` when unknown."""
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(values.get(name, values.get(snake(name), "dev")))
    return _PARAM.sub(one, path)


def create_endpoint(service: Service) -> Endpoint | None:
    """The service's POST on a collection (no path parameter) that takes a body."""
    for ep in service.endpoints:
        if ep.method == "POST" and not ep.path_params and ep.request is not None:
            return ep
    return None


def create_call(service: Service) -> Call | None:
    ep = create_endpoint(service)
    if ep is None or ep.request is None:
        return None
    return Call(service.name, "POST", ep.path, ep.route, example(ep.request, service.models))


def read_endpoint(service: Service, create: Endpoint) -> Endpoint | None:
    """`GET <create path>/{id}`: where a created resource is read back."""
    for ep in service.endpoints:
        if (ep.method == "GET" and len(ep.path_params) == 1
                and ep.path == f"{create.path}/{{{ep.path_params[0]}}}"):
            return ep
    return None


def target_status(service: Service, model_name: str) -> str | None:
    """The last success state of the created resource's `status` that an event announces.

    Order: statuses pending/confirmed/shipped/cancelled, events order.confirmed,
    order.shipped, order.cancelled -> `shipped`.
    """
    model = service.models.get(model_name)
    field = next((f for f in model.fields if f.name == "status"), None) if model else None
    if field is None or not field.spec.enum:
        return None
    verbs = {p.event.rsplit(".", 1)[-1] for p in service.publishes}
    reached = [str(v) for v in field.spec.enum
               if str(v) in verbs and not any(w in str(v) for w in _FAILURE_WORDS)]
    return reached[-1] if reached else None


def follower_reads(catalog: ResolvedCatalog, source: Service, event: str,
                   created: Mapping[str, Any]) -> list[Call]:
    """GETs of the services consuming `event` whose path parameters the created object fills."""
    calls = []
    for svc in catalog.services.values():
        if svc.name == source.name or event not in {c.event for c in svc.consumes}:
            continue
        for ep in svc.endpoints:
            if (ep.method == "GET" and ep.path_params
                    and all(snake(p) in created for p in ep.path_params)):
                calls.append(Call(svc.name, "GET", fill_path(ep.path, created), ep.route))
                break
    return calls
