"""`archgen token`: a development JWT that the gateway of `archgen up` accepts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from archgen.exit_codes import EXIT_ERROR, EXIT_OK


def token(
    catalog: Annotated[Path, typer.Argument(help="The catalog file.")] = Path("catalog.yaml"),
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Generated folder (default: generated/<system.name>/).")] = None,
    tier: Annotated[str | None, typer.Option(
        "--tier", help="Client tier claim (one of the gateway's rate-limit tiers).")] = None,
    sub: Annotated[str, typer.Option("--sub", help="Subject claim.")] = "dev-user",
    expires: Annotated[str, typer.Option(
        "--expires", help="Lifetime: 90s, 15m, 1h, 2d.")] = "1h",
) -> int:
    """Print a development JWT signed with the output folder's local key."""
    from archgen.commands.up import RUN_EXTRA_HINT, load_system

    try:
        from archgen.runtime import devkeys
    except ImportError as exc:  # pragma: no cover - the run extra is missing
        sys.stderr.write(f"archgen: error: `archgen token` needs {exc.name}: {RUN_EXTRA_HINT}\n")
        return EXIT_ERROR
    ttl = devkeys.parse_duration(expires)
    if ttl is None or ttl <= 0:
        sys.stderr.write(f"archgen: error: --expires {expires!r}: write a lifetime such as "
                         "90s, 15m, 1h or 2d\n")
        return EXIT_ERROR
    system = load_system(catalog, output, regenerate=False)
    if isinstance(system, int):
        return system
    tiers = sorted(system.catalog.gateway.rate_limits) if system.catalog.gateway else []
    if tier is not None and tiers and tier not in tiers:
        sys.stderr.write(f"archgen: error: --tier {tier!r}: the gateway's tiers are "
                         f"{', '.join(tiers)}\n")
        return EXIT_ERROR
    key = devkeys.load_or_create(system.output)
    sys.stdout.write(key.sign(devkeys.catalog_claims(system.catalog, sub, tier, ttl)) + "\n")
    return EXIT_OK


def register(app: typer.Typer) -> None:
    app.command()(token)
