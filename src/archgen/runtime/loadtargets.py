"""What `archgen loadtest` loads: one target per public endpoint of the running system.

Path values come from one resource each service's POST creates first (a placeholder id
would only measure 404s and 422s); an endpoint whose path values cannot be had is
skipped, with why.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from archgen.model.examples import example
from archgen.runtime import devkeys, flows, state
from archgen.runtime.loadtest import LoadError, Result, Skipped, Target, run_wrk

if TYPE_CHECKING:
    from archgen.model.resolved import ResolvedCatalog

DEFAULT_RATE = 10.0  # requests per second for a service whose catalog sets no throughput_tps

TOKEN_MARGIN_S = 600  # the token outlives the run by this much


class NotRunning(LoadError):
    """No system with a gateway runs from the output folder."""


def measure(catalog: ResolvedCatalog, output: Path, only: str | None, rate: float | None,
            seconds: int) -> tuple[list[Result], list[Skipped]]:
    """Load every target of the system running from `output` through its gateway, with a
    token of the tier with the most room (the test measures the system, not the limit)."""
    running = state.read(output)
    if running is None or running.gateway is None:
        raise NotRunning(f"no system with a gateway is running from {output}")
    token = load_token(catalog, output, seconds)
    targets, skipped = live_targets(catalog, running.gateway, token, only, rate)
    return [run_wrk(running.gateway, t, token, seconds) for t in targets], skipped


def load_token(catalog: ResolvedCatalog, output: Path, seconds: float) -> str:
    """A development token of the tier with the most room, valid for a run of `seconds`."""
    key = devkeys.load_or_create(output)
    tier = devkeys.top_tier(catalog)
    return key.sign(devkeys.catalog_claims(catalog, "loadtest", tier[0] if tier else None,
                                           int(seconds) + TOKEN_MARGIN_S))


# What a service's POST answered, for path values: (its route, status, the JSON object).
Created = tuple[str, int, dict[str, Any]]


def live_targets(catalog: ResolvedCatalog, base: str, token: str, only: str | None,
                 rate: float | None) -> tuple[list[Target], list[Skipped]]:
    """The targets, after creating one resource per service through the gateway at `base`."""
    import httpx  # the run extra: imported when a load test runs, not when archgen starts

    created: dict[str, Created] = {}
    for svc in catalog.services.values():
        create = flows.create_call(svc)
        if (only is not None and svc.name != only) or create is None:
            continue
        response = httpx.post(base + create.path, json=create.body, timeout=10,
                              headers={"Authorization": f"Bearer {token}"}, trust_env=False)
        body = response.json() if response.is_success else None
        created[svc.name] = (create.route, response.status_code,
                             body if isinstance(body, dict) else {})
    return plan_targets(catalog, created, only, rate)


def plan_targets(catalog: ResolvedCatalog, created: dict[str, Created], only: str | None,
                 rate: float | None) -> tuple[list[Target], list[Skipped]]:
    """The targets, and the endpoints skipped because no value is known for a path
    parameter."""
    targets, skipped = [], []
    for svc in catalog.services.values():
        if only is not None and svc.name != only:
            continue
        post = created.get(svc.name)
        values = post[2] if post else {}
        nfr = svc.nfr
        wanted = rate or (nfr.throughput_tps if nfr and nfr.throughput_tps else DEFAULT_RATE)
        for ep in svc.endpoints:
            if not ep.public:
                continue
            ids = {**values, **({ep.path_params[-1]: values["id"]}
                                if ep.path_params and "id" in values else {})}
            try:
                path = flows.fill_path(ep.path, ids, placeholder=None)
            except KeyError as exc:
                skipped.append(Skipped(svc.name, ep.route, _no_value(svc.name, exc.args[0], post)))
                continue
            body = None
            if ep.request is not None:
                body = flows.Call(svc.name, ep.method, ep.path, ep.route, example(
                    ep.request, svc.models)).json_body()
            targets.append(Target(svc.name, ep.method, path, ep.route, float(wanted),
                                  nfr.latency_p95_ms if nfr else None, body))
    return targets, skipped


def _no_value(service: str, param: str, post: Created | None) -> str:
    if post is None:
        return f"no value for {{{param}}}: {service} has no POST that creates a resource"
    route, status, _ = post
    if not 200 <= status < 300:
        return f"no value for {{{param}}}: {route} answered {status}"
    return f"no value for {{{param}}} in what {route} answered"
