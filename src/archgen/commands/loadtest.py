"""`archgen loadtest`: each public endpoint at its throughput target, through the gateway."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from archgen.commands.style import CatalogArg, command_settings, output_dir_option
from archgen.errors import UsageError
from archgen.exit_codes import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from rich.console import Console

    from archgen.model.resolved import ResolvedCatalog
    from archgen.runtime.loadtest import Result, Skipped, Target

DEFAULT_RATE = 10.0  # requests per second for a service whose catalog sets no throughput_tps
MAX_DURATION_S = 600
RICH_MIN_WIDTH = 120  # below this the ten columns' headers alone do not fit


def _targets(catalog: ResolvedCatalog, base: str, token: str, only: str | None,
             rate: float | None) -> tuple[list[Target], list[Skipped]]:
    """One target per public endpoint; path values from one resource each service's POST
    creates first. An endpoint whose path values cannot be had is skipped, with why."""
    import httpx

    from archgen.runtime import flows

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


# What a service's POST answered, for path values: (its route, status, the JSON object).
Created = tuple[str, int, dict[str, Any]]


def plan_targets(catalog: ResolvedCatalog, created: dict[str, Created], only: str | None,
                 rate: float | None) -> tuple[list[Target], list[Skipped]]:
    """The targets, and the endpoints skipped because no value is known for a path
    parameter (a placeholder id would only measure 404s and 422s)."""
    from archgen.runtime import flows
    from archgen.runtime.examples import example
    from archgen.runtime.loadtest import Skipped, Target

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


_COLUMNS = ("service", "endpoint", "target/s", "achieved/s", "p50 ms", "p95 ms", "p99 ms",
            "SLA p95 ms", "errors", "verdict")


def _rows(results: list[Result]) -> list[list[str]]:
    return [[r.service, r.route, f"{r.target_rps:g}", f"{r.achieved_rps:.0f}",
             f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}", f"{r.p99_ms:.1f}",
             f"{r.sla_p95_ms:g}" if r.sla_p95_ms else "-",
             f"{r.error_rate:.1%}" + (f" ({r.error_codes()})" if r.error_codes() else ""),
             {"pass": "pass", "missed": "MISSED", "set-up": "SET-UP"}[r.verdict]]
            for r in results]


def _table(results: list[Result], skipped: list[Skipped] | None = None,
           console: Console | None = None) -> None:
    """A rich table on a wide terminal (cells wrap, never cut); plain padded lines in a pipe
    or a CI log, where no width is right, and on a terminal too narrow for ten columns."""
    from rich.table import Table
    from rich.text import Text

    from archgen.runtime.console import wide_console
    from archgen.runtime.loadtest import plain_table

    console = console or wide_console()
    title = "archgen loadtest (wrk, through the gateway)"
    rows = _rows(results)
    notes = [f"{r.service} {r.route}: {r.setup_problem}" for r in results if r.setup_problem]
    notes += [f"skipped {s.service} {s.route}: {s.reason}" for s in skipped or []]
    if not console.is_terminal or console.width < RICH_MIN_WIDTH:
        console.print(title, markup=False, highlight=False)
        if rows:
            console.print(plain_table(_COLUMNS, rows), markup=False, highlight=False,
                          soft_wrap=True)
        for note in notes:
            console.print(note, markup=False, highlight=False, soft_wrap=True)
        return
    table = Table(title=title, title_justify="left")
    for column in _COLUMNS:
        table.add_column(column, overflow="fold", min_width=len(column))
    styles = {"pass": "green", "MISSED": "bold red", "SET-UP": "bold yellow"}
    for row in rows:
        table.add_row(*row[:-1], Text(row[-1], styles[row[-1]]))
    console.print(table)
    for note in notes:
        console.print(Text(note, "yellow"))


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
    tier = devkeys.top_tier(system.catalog)
    token = key.sign(devkeys.catalog_claims(system.catalog, "loadtest",
                                            tier[0] if tier else None, seconds + 600))
    try:
        targets, skipped = _targets(system.catalog, running.gateway, token, service, rate)
        results = [run_wrk(running.gateway, t, token, seconds) for t in targets]
    except LoadError as exc:
        raise UsageError(str(exc)) from None
    _table(results, skipped)
    if json_out is not None:
        write_replacing(json_out, report_json(results, skipped) + "\n")
    return _exit_code(results)


def _exit_code(results: list[Result]) -> int:
    """1 when an SLA is missed; 2 when the test itself was set up wrong (4xx storms, or
    nothing to load), so a bad set-up is never read as a slow system; else 0."""
    if any(r.verdict == "missed" for r in results):
        return EXIT_FINDINGS
    if not results or any(r.verdict == "set-up" for r in results):
        return EXIT_ERROR
    return EXIT_OK


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("Each public endpoint at its catalog throughput, 10 s each",
         "archgen loadtest shop.yaml"),
        ("One service at 500 requests per second for 30 s, results as JSON too",
         "archgen loadtest shop.yaml --service order-service --rate 500 --duration 30s "
         "--json load.json"),
    ))(loadtest)
