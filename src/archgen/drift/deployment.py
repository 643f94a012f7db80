"""AGX6xx: the workloads of a Kubernetes namespace against each service's `nfr`.

The expected values are the deployment model's (what the generated Helm chart
deploys): replicas between `nfr.replicas.min` and `max` (the Deployment's own
count, and the autoscaler's range), requests and limits from `nfr.resources`,
liveness and readiness probes on the service's health paths.
"""

from __future__ import annotations

from archgen.drift.context import DriftContext
from archgen.drift.observed import Workload
from archgen.generators.quantities import cpus, megabytes
from archgen.model.deployment import ServiceDeployment, deployment


def check(ctx: DriftContext) -> None:
    workloads = ctx.observed.workloads
    if workloads is None:
        return
    dep = deployment(ctx.catalog)
    for name, expected in sorted(dep.services.items()):
        found = workloads.get(name)
        if found is None:
            ctx.add("AGX601", f"{name} has no Deployment in the namespace", ("services", name))
            continue
        _replicas(ctx, expected, found)
        _resources(ctx, expected, found)
        _probes(ctx, expected, found)
    for name in sorted(set(workloads) - set(dep.services)):
        ctx.add("AGX690", f"Deployment `{name}` runs in the namespace; no catalog service "
                "describes it", ("services",))


def _nfr(service: str, key: str) -> tuple[str, ...]:
    return ("services", service, "nfr", key)


def _replicas(ctx: DriftContext, svc: ServiceDeployment, w: Workload) -> None:
    low, high = svc.replicas_min, svc.replicas_max
    declared = f"nfr.replicas {low}..{high}"
    scaled = w.hpa_min is not None or w.hpa_max is not None
    if scaled and (w.hpa_min, w.hpa_max) != (low, high):
        ctx.add("AGX602", f"{svc.name}'s autoscaler scales {w.hpa_min}..{w.hpa_max}, the "
                f"catalog says {declared}", _nfr(svc.name, "replicas"))
    if w.replicas is not None and not low <= w.replicas <= high:
        ctx.add("AGX602", f"{svc.name} runs {w.replicas} replica(s), outside {declared}",
                _nfr(svc.name, "replicas"))


def _resources(ctx: DriftContext, svc: ServiceDeployment, w: Workload) -> None:
    wanted = {("requests", "cpu"): svc.cpu_request, ("requests", "memory"): svc.memory_request,
              ("limits", "cpu"): svc.cpu_limit or svc.cpu_request,
              ("limits", "memory"): svc.memory_limit or svc.memory_request}
    for (kind, resource), value in wanted.items():
        got = (w.requests if kind == "requests" else w.limits).get(resource)
        if got is None or not _same(resource, got, value):
            ctx.add("AGX603", f"{svc.name}'s container {kind} {resource} is {got or 'unset'}, "
                    f"the catalog says {value}", _nfr(svc.name, "resources"))


def _same(resource: str, a: str, b: str) -> bool:
    norm = cpus if resource == "cpu" else megabytes
    return norm(str(a)) == norm(str(b))


def _probes(ctx: DriftContext, svc: ServiceDeployment, w: Workload) -> None:
    for kind, got, want in (("liveness", w.live_path, svc.health_live),
                            ("readiness", w.ready_path, svc.health_ready)):
        if got != want:
            what = f"checks {got}" if got else "is missing"
            ctx.add("AGX604", f"{svc.name}'s {kind} probe {what}; the service answers it on "
                    f"{want}", ("services", svc.name))
