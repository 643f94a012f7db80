"""`archgen loadtest`: each public endpoint at its throughput target, through the gateway."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archgen.commands.style import CatalogArg, command_settings, output_dir_option
from archgen.errors import UsageError
from archgen.exit_codes import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archgen.runtime.loadtest import Result

MAX_DURATION_S = 600


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
    from archgen import pipeline
    from archgen.commands.common import run_clock
    from archgen.files import write_replacing
    from archgen.runtime import devkeys
    from archgen.runtime.loadtargets import NotRunning, measure
    from archgen.runtime.loadtest import LoadError, print_table, report_json

    seconds = devkeys.parse_duration(duration)
    if seconds is None or not 0 < seconds <= MAX_DURATION_S or (rate is not None and rate <= 0):
        raise UsageError("--duration takes 1s..10m and --rate a positive number")
    run = pipeline.prepare(catalog, run_clock())
    if run is None:
        return EXIT_FINDINGS
    if service is not None and service not in run.catalog.services:
        raise UsageError(f"--service {service!r} is not in the catalog",
                         f"services: {', '.join(sorted(run.catalog.services))}")
    try:
        results, skipped = measure(run.catalog, run.output_dir(output), service, rate, seconds)
    except NotRunning as exc:
        raise UsageError(str(exc), f"start `archgen up {catalog}` first") from None
    except LoadError as exc:
        raise UsageError(str(exc)) from None
    print_table(results, skipped)
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
