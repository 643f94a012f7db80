"""`archgen loadtest`: each public endpoint at its throughput target, through the gateway."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from archgen.commands.style import CatalogArg, command_settings, output_dir_option
from archgen.errors import UsageError
from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archgen.model.catalog import RateLimit
    from archgen.model.resolved import ResolvedCatalog
    from archgen.runtime.loadtest import Result, Target

DEFAULT_RATE = 10.0  # requests per second for a service whose catalog sets no throughput_tps
MAX_DURATION_S = 600


def _targets(catalog: ResolvedCatalog, base: str, token: str, only: str | None,
             rate: float | None) -> list[Target]:
    """One target per public endpoint; path parameters from one resource created first."""
    import httpx

    from archgen.runtime import flows
    from archgen.runtime.examples import example
    from archgen.runtime.loadtest import Target

    targets = []
    for svc in catalog.services.values():
        if only is not None and svc.name != only:
            continue
        values: dict[str, Any] = {}
        create = flows.create_call(svc)
        if create is not None:
            response = httpx.post(base + create.path, json=create.body, timeout=10,
                                  headers={"Authorization": f"Bearer {token}"}, trust_env=False)
            if response.is_success and isinstance(response.json(), dict):
                values = response.json()
        nfr = svc.nfr
        wanted = rate or (nfr.throughput_tps if nfr and nfr.throughput_tps else DEFAULT_RATE)
        for ep in svc.endpoints:
            if not ep.public:
                continue
            body = None
            if ep.request is not None:
                body = flows.Call(svc.name, ep.method, ep.path, ep.route, example(
                    ep.request, svc.models)).json_body()
            ids = {**values, **({ep.path_params[-1]: values["id"]}
                                if ep.path_params and "id" in values else {})}
            targets.append(Target(svc.name, ep.method, flows.fill_path(ep.path, ids), ep.route,
                                  float(wanted), nfr.latency_p95_ms if nfr else None, body))
    return targets


def _top_tier(catalog: ResolvedCatalog) -> str | None:
    """The tier with the highest rate limit: a load test measures the system, not the limit."""
    gateway = catalog.gateway
    if gateway is None or not gateway.rate_limits:
        return None
    return str(max(gateway.rate_limits.items(), key=lambda kv: _per_second(kv[1]))[0])


_PERIOD_S = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _per_second(limit: RateLimit) -> float:
    return limit.requests / _PERIOD_S[limit.period]


def _table(results: list[Result]) -> None:
    from rich.table import Table
    from rich.text import Text

    from archgen.runtime.console import wide_console

    table = Table(title="archgen loadtest (wrk, through the gateway)", title_justify="left")
    for column in ("service", "endpoint", "target/s", "achieved/s", "p50 ms", "p95 ms",
                   "p99 ms", "SLA p95 ms", "errors", "verdict"):
        table.add_column(column, no_wrap=True)
    for r in results:
        table.add_row(r.service, r.route, f"{r.target_rps:g}", f"{r.achieved_rps:.0f}",
                      f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}", f"{r.p99_ms:.1f}",
                      f"{r.sla_p95_ms:g}" if r.sla_p95_ms else "-",
                      f"{r.error_rate:.1%}" + (f" ({r.error_codes()})" if r.error_codes() else ""),
                      Text("pass", "green") if r.passed else Text("MISSED", "bold red"))
    wide_console().print(table)


def loadtest(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path | None, output_dir_option("generated/<system.name>")] = None,
    service: Annotated[str | None, typer.Option(
        "--service", metavar="NAME", show_default=False,
        help="Only this service.  [default: every service]")] = None,
    duration: Annotated[str, typer.Option(
        "--duration", metavar="DURATION", help="How long to load each endpoint: 10s, 1m.")
                        ] = "10s",
    rate: Annotated[float | None, typer.Option(
        "--rate", metavar="RPS", show_default=False,
        help="Requests per second.  [default: the service's throughput_tps]")] = None,
    json_out: Annotated[Path | None, typer.Option(
        "--json", metavar="FILE", show_default=False,
        help="Also write the results as JSON to this file.")] = None,
) -> int:
    """Load each public endpoint of the running system through its gateway (wrk)."""
    from archgen.commands.up import load_system
    from archgen.files import write_replacing
    from archgen.runtime import devkeys, state
    from archgen.runtime.loadtest import LoadError, report_json, run_wrk

    seconds = devkeys.parse_duration(duration)
    if seconds is None or not 0 < seconds <= MAX_DURATION_S or (rate is not None and rate <= 0):
        raise UsageError("--duration takes 1s..10m and --rate a positive number")
    system = load_system(catalog, output, regenerate=False)
    if isinstance(system, int):
        return system
    if service is not None and service not in system.catalog.services:
        raise UsageError(f"--service {service!r} is not in the catalog",
                         f"services: {', '.join(sorted(system.catalog.services))}")
    running = state.read(system.output)
    if running is None or running.gateway is None:
        raise UsageError(f"no system with a gateway is running from {system.output}",
                         f"start `archgen up {catalog}` first")
    key = devkeys.load_or_create(system.output)
    token = key.sign(devkeys.catalog_claims(system.catalog, "loadtest",
                                      _top_tier(system.catalog), seconds + 600))
    try:
        targets = _targets(system.catalog, running.gateway, token, service, rate)
        results = [run_wrk(running.gateway, t, token, seconds) for t in targets]
    except LoadError as exc:
        raise UsageError(str(exc)) from None
    _table(results)
    if json_out is not None:
        write_replacing(json_out, report_json(results) + "\n")
    return EXIT_OK if all(r.passed for r in results) else EXIT_FINDINGS


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("Each public endpoint at its catalog throughput, 10 s each",
         "archgen loadtest shop.yaml"),
        ("One service at 500 requests per second for 30 s, results as JSON too",
         "archgen loadtest shop.yaml --service order-service --rate 500 --duration 30s "
         "--json load.json"),
    ))(loadtest)
