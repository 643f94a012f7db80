"""`archgen up`: the generated system live on 127.0.0.1, without Docker."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archgen.commands.common import RUN_EXTRA_HINT
from archgen.commands.style import (
    CatalogArg,
    command_settings,
    output_dir_option,
    trust_templates_option,
)
from archgen.errors import UsageError
from archgen.exit_codes import EXIT_FINDINGS

if TYPE_CHECKING:
    from archgen.runtime.dashboard.board import Bounds

SUPERVISE_FLAG = "--supervise"  # hidden: this process is the supervisor of `up --detach`
STORES_ENV = "ARCHGEN_UP_STORE_URLS"  # --store's URLs for it, as JSON
# The dashboard's window (how much it keeps in memory), from the command line or these.
TRACES_ENV = "ARCHGEN_DASHBOARD_TRACES"
LOG_LINES_ENV = "ARCHGEN_DASHBOARD_LOG_LINES"


def _refuse_running(output: Path) -> None:
    from archgen.runtime import instance

    if instance.holder(output) is not None:
        raise UsageError(instance.running_message(output),
                         f"`archgen ps -o {output}` lists its parts; `archgen down -o {output}` "
                         "stops it")


def _store_urls(specs: list[str]) -> dict[str, str]:
    urls = {}
    for spec in specs:
        name, sep, url = spec.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise UsageError(f"--store {spec!r}: write NAME=URL",
                             "e.g. --store customers-db=mongodb://127.0.0.1:27017/customers")
        urls[name.strip()] = url.strip()
    return urls


def _embedded(specs: list[str]) -> frozenset[str]:
    choices = {c.strip() for item in specs for c in item.split(",") if c.strip()}
    unknown = sorted(choices - {"sqlite", "memory"})
    if unknown:
        raise UsageError(f"--embedded {unknown[0]!r}: the choices are sqlite and memory",
                         "see `archgen up --help`")
    return frozenset(choices)


def up(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path | None, output_dir_option("generated/<system.name>")] = None,
    embedded: Annotated[list[str] | None, typer.Option(
        "--embedded", metavar="KINDS", show_default=False,
        help="sqlite: relational stores as SQLite files instead of PostgreSQL; memory: "
             "document stores (MongoDB) in the service's memory. Repeatable or "
             "comma-separated.")] = None,
    store: Annotated[list[str] | None, typer.Option(
        "--store", metavar="NAME=URL", show_default=False,
        help="Use an existing server for a store (repeatable).")] = None,
    gateway_port: Annotated[int, typer.Option(
        "--gateway-port", metavar="PORT", show_default=False,
        help="Port of the local gateway.  [default: a free one]")] = 0,
    smoke: Annotated[bool, typer.Option(
        "--smoke", help="Start everything, drive the main flow through the gateway, print a "
                        "pass/fail table, stop; exit 0 or 1.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not print the parts' logs.")
                     ] = False,
    trust_templates: Annotated[bool, trust_templates_option()] = False,
    detach: Annotated[bool, typer.Option(
        "--detach", "-d", help="Run in the background: return once every part is ready. "
                               "`archgen ps`, `logs` and `down` find it.")] = False,
    keep_data: Annotated[bool, typer.Option(
        "--keep-data", help="Keep the stores' data (PostgreSQL, Valkey, SQLite) in "
                            "<output>/.archgen/data for the next run. Without it every run "
                            "starts empty.")] = False,
    no_reload: Annotated[bool, typer.Option(
        "--no-reload", help="Do not restart a service when its own code (its src/ folder) "
                            "changes.")] = False,
    dashboard_port: Annotated[int, typer.Option(
        "--dashboard-port", metavar="PORT", show_default=False,
        help="Port of the development dashboard on 127.0.0.1 (parts, logs, traces, topics, "
             "API explorer).  [default: a free one]")] = 0,
    no_dashboard: Annotated[bool, typer.Option(
        "--no-dashboard", help="Do not serve the dashboard.")] = False,
    no_fork: Annotated[bool, typer.Option(
        "--no-fork", envvar="ARCHGEN_NO_FORK",
        help="Start every service as its own fresh interpreter instead of forking it from "
             "the zygote (one process that has imported the services' shared libraries: "
             "a start costs a fraction of the CPU). Automatic where fork is unavailable.")
                ] = False,
    dashboard_traces: Annotated[int | None, typer.Option(
        "--dashboard-traces", metavar="N", min=1, envvar=TRACES_ENV, show_default=False,
        help="Traces the dashboard keeps (the newest; up to 500 spans each).  "
             "[default: 200]")] = None,
    dashboard_log_lines: Annotated[int | None, typer.Option(
        "--dashboard-log-lines", metavar="N", min=1, envvar=LOG_LINES_ENV,
        show_default=False,
        help="Log lines the dashboard keeps per part (the newest).  [default: 1000]")] = None,
    supervise: Annotated[bool, typer.Option(SUPERVISE_FLAG, hidden=True)] = False,
) -> int:
    """Run the generated system on this machine: broker, stores, services, gateway."""
    started = time.monotonic()
    choices = _embedded(embedded or [])
    urls = _store_urls(store or [])
    if supervise:  # from the command that detached us
        urls.update(json.loads(os.environ.pop(STORES_ENV, "{}")))
    if detach and smoke:
        raise UsageError("--detach and --smoke do not go together",
                         "--smoke stops the system when its test ends; run it in the foreground")
    try:
        from archgen.runtime.console import UpConsole
        from archgen.runtime.plan import UpOptions
        from archgen.runtime.runner import UpRequest
        from archgen.runtime.runner import up as run_up
    except ImportError as exc:
        raise UsageError(f"`archgen up` needs {exc.name}", RUN_EXTRA_HINT) from None
    from archgen import pipeline
    from archgen.commands.common import run_clock

    run = pipeline.prepare(catalog, run_clock(), trust_templates=trust_templates,
                           output=output)
    if run is None:
        return EXIT_FINDINGS
    out_dir = run.output_dir(output)
    if not supervise:  # before anything is rewritten under a running system
        _refuse_running(out_dir)
    zygote = None
    if not no_fork and not (detach and not supervise):
        from archgen.runtime import forks

        zygote = forks.early(out_dir)  # its imports overlap the refresh and the stores' start
    try:
        pipeline.refresh(run, out_dir)
    except BaseException:
        if zygote is not None:
            zygote.close()
        raise
    if detach and not supervise:
        forwarded = [*(f"--embedded={c}" for c in sorted(choices)),
                     f"--gateway-port={gateway_port}",
                     *(["--keep-data"] if keep_data else []),
                     *(["--no-reload"] if no_reload else []),
                     f"--dashboard-port={dashboard_port}",
                     *(["--no-dashboard"] if no_dashboard or smoke else []),
                     *(["--no-fork"] if no_fork else []),
                     *([f"--dashboard-traces={dashboard_traces}"] if dashboard_traces else []),
                     *([f"--dashboard-log-lines={dashboard_log_lines}"]
                       if dashboard_log_lines else []),
                     *(["--trust-templates"] if trust_templates else [])]
        return _detach([str(catalog.resolve()), "-o", str(out_dir.resolve()),
                        *forwarded, SUPERVISE_FLAG], out_dir, urls)
    from archgen.runtime.instance import data_dir

    options = UpOptions(choices, urls, gateway_port,
                        data_dir(out_dir).resolve() if keep_data else None)
    request = UpRequest(run.catalog, run.deployment, out_dir, options, started,
                        pipeline.gateway_config(run), reload=not no_reload, detached=supervise,
                        dashboard_port=None if no_dashboard or smoke else dashboard_port,
                        views=pipeline.dashboard_views(run), fork=not no_fork, zygote=zygote,
                        bounds=_bounds(dashboard_traces, dashboard_log_lines))
    task = None
    if smoke:
        from archgen.runtime.smoke import smoke_task

        task = smoke_task(run.catalog, run.deployment, started)
    return run_up(request, UpConsole(quiet_logs=quiet or supervise), task)


def _bounds(traces: int | None, log_lines: int | None) -> Bounds | None:
    """The dashboard's window: the defaults (rings.py) but for what was asked."""
    from archgen.runtime.dashboard.board import Bounds

    if traces is None and log_lines is None:
        return None
    default = Bounds()
    return Bounds(log_lines_per_part=log_lines or default.log_lines_per_part,
                  max_traces=traces or default.max_traces,
                  max_spans_per_trace=default.max_spans_per_trace,
                  messages_per_topic=default.messages_per_topic)


def _detach(args: list[str], output: Path, store_urls: dict[str, str]) -> int:
    """Start the supervisor in the background; once all is ready, where everything listens.
    The store URLs (passwords, maybe) go in its environment, not on a command line."""
    from archgen.runtime import detach
    from archgen.runtime.console import ps_table, wide_console

    code, running, printed = detach.start(args, output, {STORES_ENV: json.dumps(store_urls)})
    if running is None:
        sys.stdout.write(printed)
        return code
    console = wide_console()
    where = (f"; gateway at {running.gateway}" if running.gateway else "") + (
        f"; dashboard at {running.dashboard}" if running.dashboard else "")
    console.print(f"all {len(running.parts)} parts ready in the background "
                  f"(pid {running.pid}){where}", style="bold green")
    console.print(ps_table(running.parts, "archgen up --detach"))
    console.print(f"`archgen ps -o {output}` lists them, `archgen logs -o {output} -f` follows "
                  f"their logs, `archgen down -o {output}` stops them")
    return 0


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("Run the e-commerce system; Ctrl-C stops it",
         "archgen up shop.yaml --embedded memory"),
        ("In the background, with the stores' data kept for the next run",
         "archgen up shop.yaml --embedded memory --detach --keep-data"),
        ("In CI: start it, drive an order through the gateway, stop; exit 0/1",
         "archgen up shop.yaml --embedded memory --smoke --quiet"),
    ))(up)
