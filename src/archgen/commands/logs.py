"""`archgen logs`: the logs of a running (or the last) `archgen up`, of one part or all."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from archgen.commands.style import command_settings, running_output_option
from archgen.errors import UsageError
from archgen.exit_codes import EXIT_OK


def logs(
    part: Annotated[str | None, typer.Argument(
        metavar="PART", show_default=False,
        help="One part (service, broker, store, gateway).  [default: all, merged]")] = None,
    follow: Annotated[bool, typer.Option(
        "--follow", "-f", help="Keep printing new lines until the run stops (or Ctrl-C).")
                      ] = False,
    output: Annotated[Path | None, running_output_option()] = None,
    catalog: Annotated[Path, typer.Option(
        "--catalog", "-c", metavar="FILE", show_default=False,
        help="The catalog, to find the output folder without -o.  [default: catalog.yaml]")
                       ] = Path("catalog.yaml"),
) -> int:
    """Print the parts' logs, `name | line` as `archgen up` prints them."""
    from archgen.runtime import instance, logfile, state

    folder = instance.output_folder(catalog, output)
    path = instance.log_path(folder)
    if not path.is_file():
        raise UsageError(f"no logs in {folder}: no archgen up has run there",
                         f"start one with `archgen up -o {folder} --detach`")
    if part is not None:
        running = state.read_any(folder)
        known = ({str(p.get("name")) for p in running.parts} if running is not None else
                 {n for n in map(logfile.part_of, logfile.read(path)) if n})
        if part not in known:
            raise UsageError(f"no part named {part!r} in the run of {folder}",
                             "the parts are " + ", ".join(sorted(known)))

    def write(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    if not follow:
        for line in logfile.read(path, part):
            write(line)
        return EXIT_OK
    with contextlib.suppress(KeyboardInterrupt):
        logfile.follow(path, part, lambda: instance.holder(folder) is not None, write)
    return EXIT_OK


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("Follow the logs of every part, merged", "archgen logs -o generated/shop -f"),
        ("One service's lines so far", "archgen logs order-service -c shop.yaml"),
    ))(logs)
