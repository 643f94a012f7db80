"""What drift looks at, and reading it: the system `archgen up` runs, base URLs and a
broker, or a Kubernetes namespace."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from archgen.drift import services as http
from archgen.drift.kube import KubeError, KubeTarget, read_workloads
from archgen.drift.observed import Observed
from archgen.model.deployment import ServiceDeployment, deployment
from archgen.model.resolved import ResolvedCatalog

DEFAULT_SAMPLE = 20  # messages per partition


@dataclass(frozen=True)
class Target:
    services: dict[str, str] = field(default_factory=dict)  # name -> base URL
    broker: str | None = None  # host:port
    kube: KubeTarget | None = None

    @classmethod
    def of_up(cls, output: Path) -> Target | None:
        """The system `archgen up` runs from this output folder; None when none runs."""
        from archgen.runtime.state import read

        state = read(output)
        if state is None:
            return None
        return cls(dict(state.services), state.broker)


@dataclass(frozen=True)
class Reading:
    sample: int = DEFAULT_SAMPLE  # messages per partition; 0 reads none
    window_s: float = 0.0  # > 0: count only the calls made during this many seconds


def observe(target: Target, catalog: ResolvedCatalog, reading: Reading = Reading()
            ) -> Observed:
    observed = Observed()
    if target.services:
        _services(observed, target, catalog, reading.window_s)
    if target.broker:
        _broker(observed, target.broker, reading.sample)
    if target.kube is not None:
        try:
            observed.workloads = read_workloads(target.kube)
        except KubeError as exc:
            observed.unreadable.append(("AGX600", "", f"namespace {target.kube.namespace}: "
                                        f"{exc}"))
    return observed


def _services(observed: Observed, target: Target, catalog: ResolvedCatalog,
              window_s: float) -> None:
    dep = deployment(catalog)
    wanted = {n: u for n, u in sorted(target.services.items()) if n in dep.services}
    observed.openapi, observed.calls = {}, {}
    with httpx.Client(timeout=http.TIMEOUT_S, trust_env=False) as client:
        for name, url in wanted.items():
            doc = http.read_openapi(client, url)
            if isinstance(doc, str):
                observed.unreadable.append(("AGX100", name, doc))
            else:
                observed.openapi[name] = doc
        first = _counters(client, wanted, dep.services, observed)
        if window_s > 0:
            time.sleep(window_s)
            later = _counters(client, wanted, dep.services, None)
            observed.calls = http.window(first, later)
        else:
            observed.calls = first


def _counters(client: httpx.Client, urls: dict[str, str],
              services: Mapping[str, ServiceDeployment], observed: Observed | None
              ) -> dict[str, dict[str, float]]:
    out = {}
    for name, url in urls.items():
        counts = http.read_callers(client, url, services[name].metrics_path)
        if isinstance(counts, str):
            if observed is not None:
                observed.unreadable.append(("AGX400", name, counts))
        else:
            out[name] = counts
    return out


def _broker(observed: Observed, address: str, sample: int) -> None:
    from archgen.drift.broker import read_broker

    # aiokafka logs each failed connection; a broker that cannot be read is one finding
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        observed.broker = asyncio.run(asyncio.wait_for(read_broker(address, sample), 60))
    except Exception as exc:  # aiokafka's errors share no base class worth naming
        name = exc.__class__.__name__
        text = str(exc).removeprefix(f"{name}: ")
        observed.unreadable.append(("AGX300", "", f"broker {address}: {name}"
                                    + (f": {text}" if text else "")))
