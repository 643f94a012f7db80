"""`archgen drift [CATALOG] --against TARGET`: the running system held against its catalog."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archgen.commands.common import RUN_EXTRA_HINT
from archgen.commands.report_options import (
    ConfigOption,
    FailOn,
    FormatOption,
    IsolatedOption,
    OutputFormat,
    ReportOption,
    WriteBaselineOption,
    parse_reports,
    split_items,
)
from archgen.commands.style import CatalogArg, command_settings, output_dir_option
from archgen.errors import UsageError

if TYPE_CHECKING:
    from archgen.catalog import LoadResult
    from archgen.drift.target import Target

K8S = "k8s:"


def drift(
    catalog: CatalogArg = Path("catalog.yaml"),
    against: Annotated[str, typer.Option(
        metavar="TARGET",
        help="What runs: `up` (the system `archgen up` runs from the output folder), "
             "`urls` (the services given with --url and the broker given with --broker; "
             "implied by them) or `k8s:NAMESPACE` (its Deployments and autoscalers, read "
             "with your kubeconfig).")] = "up",
    output: Annotated[Path | None, output_dir_option("generated/<system.name>")] = None,
    url: Annotated[list[str] | None, typer.Option(
        "--url", metavar="NAME=URL", show_default=False,
        help="A service's base URL (repeatable), e.g. order-service=http://10.0.0.5:8080.")
                   ] = None,
    broker: Annotated[str | None, typer.Option(
        metavar="HOST:PORT", show_default=False, help="The Kafka bootstrap address.")] = None,
    kubeconfig: Annotated[Path | None, typer.Option(
        metavar="FILE", show_default=False,
        help="With k8s:NAMESPACE: the kubeconfig.  [default: $KUBECONFIG, ~/.kube/config]")
                          ] = None,
    context: Annotated[str | None, typer.Option(
        metavar="NAME", show_default=False,
        help="With k8s:NAMESPACE: the kubeconfig context.  [default: its current-context]")
                       ] = None,
    sample: Annotated[int, typer.Option(
        metavar="N", min=0, help="Messages read from the end of each partition and checked "
                                 "against their payload schema; 0 reads none.")] = 20,
    window: Annotated[float, typer.Option(
        metavar="SECONDS", min=0,
        help="Count only the calls made during this many seconds (0: since each service "
             "started).")] = 0.0,
    output_format: FormatOption = OutputFormat.text,
    report: ReportOption = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        show_default=False,
        help="The lowest severity that fails the run (exit 1).  [default: error]")] = None,
    select: Annotated[list[str] | None, typer.Option(
        metavar="CODES", show_default=False,
        help="Report only these: drift codes, slugs or prefixes (AGX4), comma-separated.")
                      ] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        metavar="CODES", show_default=False,
        help="Skip these: drift codes, slugs or prefixes, comma-separated.")] = None,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    baseline: Annotated[Path | None, typer.Option(
        metavar="FILE", help="Suppress the findings recorded in this baseline file.")] = None,
    write_baseline: WriteBaselineOption = None,
) -> int:
    """Compare the running system with its catalog: APIs, calls, events, deployment.

    Each finding names the catalog entry to change or the service to fix.
    """
    from archgen.code_family import Selection
    from archgen.drift.engine import FAMILY, run_drift
    from archgen.findings_run import FindingsOptions, finish, load, loaded

    try:
        from archgen.drift.target import Reading, observe
    except ImportError as exc:  # the run extra is missing (httpx, aiokafka)
        raise UsageError(f"`archgen drift` needs {exc.name}", RUN_EXTRA_HINT) from None

    layer: dict[str, str] = {"fail-on": fail_on.value} if fail_on else {}
    if baseline is not None:
        layer["baseline"] = str(baseline)
    options = FindingsOptions(layer, config, isolated, write_baseline, output_format.value,
                              parse_reports(report or []))
    selection = Selection(split_items(select), split_items(ignore))
    selection.enabled(FAMILY)  # bad selectors are a usage error before anything is read
    found = loaded(load(catalog))
    assert found.catalog is not None
    target = _target(against, found, output, url or [], broker, kubeconfig, context)
    observed = observe(target, found.catalog, Reading(sample, window))
    settled = options.settle(Path(found.file))
    result = run_drift(found, observed, selection, settled.known)
    return finish([(result, settled.settings.fail_on)], options)



def _target(against: str, loaded: LoadResult, output: Path | None, urls: list[str],
            broker: str | None, kubeconfig: Path | None, context: str | None) -> Target:
    from archgen.drift.kube import KubeTarget
    from archgen.drift.target import Target

    assert loaded.catalog is not None
    if against.startswith(K8S):
        namespace = against.removeprefix(K8S).strip()
        if not namespace:
            raise UsageError("--against k8s: names no namespace", "e.g. --against k8s:shop")
        return Target(kube=KubeTarget(namespace, kubeconfig, context))
    if urls or broker or against == "urls":
        if against not in ("up", "urls"):
            raise UsageError(f"--against {against}: --url and --broker make the target `urls`")
        services = _urls(urls, set(loaded.catalog.services))
        if not services and not broker:
            raise UsageError("--against urls needs --url NAME=URL or --broker HOST:PORT")
        return Target(services, broker)
    if against != "up":
        raise UsageError(f"--against {against!r}: write up, urls or k8s:NAMESPACE")
    folder = output if output is not None else Path("generated") / loaded.catalog.system.name
    found = Target.of_up(folder)
    if found is None:
        raise UsageError(f"no system of `archgen up` runs from {folder} (no live "
                         f"{folder}/.archgen/up.json)",
                         f"start it with `archgen up {loaded.file}`, pass -o DIR, or give "
                         "--url NAME=URL and --broker HOST:PORT")
    return found


def _urls(specs: list[str], known: set[str]) -> dict[str, str]:
    out = {}
    for spec in specs:
        name, sep, address = spec.partition("=")
        name, address = name.strip(), address.strip()
        if not sep or not name or not address.startswith(("http://", "https://")):
            raise UsageError(f"--url {spec!r}: write NAME=http(s)://HOST:PORT",
                             "e.g. --url order-service=http://127.0.0.1:8081")
        if name not in known:
            raise UsageError(f"--url {spec!r}: {name!r} is no service of the catalog")
        out[name] = address
    return out


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("The system `archgen up` runs, held against its catalog",
         "archgen drift shop.yaml"),
        ("Deployed services and their broker, as a scheduled CI job",
         "archgen drift shop.yaml --url orders=http://orders:8080 --broker kafka:9092 "
         "--fail-on warning --report sarif=drift.sarif"),
        ("A Kubernetes namespace's workloads against nfr",
         "archgen drift shop.yaml --against k8s:shop --context prod"),
    ))(drift)
