"""`archgen token`: a development JWT that the gateway of `archgen up` accepts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from archgen.commands.style import CatalogArg, command_settings, output_dir_option
from archgen.errors import UsageError
from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK


def token(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path | None, output_dir_option("generated/<system.name>")] = None,
    tier: Annotated[str | None, typer.Option(
        "--tier", metavar="TIER", show_default=False,
        help="Client tier claim: one of the gateway's rate-limit tiers.")] = None,
    sub: Annotated[str, typer.Option("--sub", metavar="NAME", help="Subject claim.")
                   ] = "dev-user",
    expires: Annotated[str, typer.Option(
        "--expires", metavar="DURATION", help="Lifetime: 90s, 15m, 1h, 2d.")] = "1h",
) -> int:
    """Print a development JWT that the gateway of `archgen up` accepts."""
    from archgen import pipeline
    from archgen.commands.common import RUN_EXTRA_HINT, run_clock

    try:
        from archgen.runtime import devkeys
    except ImportError as exc:  # the run extra is missing
        raise UsageError(f"`archgen token` needs {exc.name}", RUN_EXTRA_HINT) from None
    ttl = devkeys.parse_duration(expires)
    if ttl is None or ttl <= 0:
        raise UsageError(f"--expires {expires!r}: write a lifetime such as 90s, 15m, 1h or 2d")
    run = pipeline.prepare(catalog, run_clock())
    if run is None:
        return EXIT_FINDINGS
    tiers = sorted(run.catalog.gateway.rate_limits) if run.catalog.gateway else []
    if tier is not None and tiers and tier not in tiers:
        raise UsageError(f"--tier {tier!r}: the gateway's tiers are {', '.join(tiers)}")
    key = devkeys.load_or_create(run.output_dir(output))
    sys.stdout.write(key.sign(devkeys.catalog_claims(run.catalog, sub, tier, ttl)) + "\n")
    return EXIT_OK


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("A token for the running system's gateway",
         "archgen token shop.yaml --tier premium"),
        ("A 15-minute token for another user", "archgen token shop.yaml --sub alice --expires 15m"),
    ))(token)
