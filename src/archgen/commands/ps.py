"""`archgen ps`: the parts of a running `archgen up`, with their health, PIDs and restarts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archgen.commands.style import CatalogArg, command_settings, running_output_option
from archgen.exit_codes import EXIT_ERROR, EXIT_OK


def ps(
    catalog: CatalogArg = Path("catalog.yaml"),
    output: Annotated[Path | None, running_output_option()] = None,
) -> int:
    """List the parts of the running `archgen up`: kind, URL, health, PID, restarts."""
    from archgen.runtime import instance, state
    from archgen.runtime.console import ps_table, wide_console

    folder = instance.output_folder(catalog, output)
    console = wide_console()
    running = state.read(folder)
    if running is None:
        left = state.read_any(folder)
        if left is not None:  # up.json outlived its supervisor: a crash
            console.print(f"the supervisor of {folder} (pid {left.pid}) is gone; "
                          f"`archgen down -o {folder}` cleans up what is left", style="bold red")
            return EXIT_ERROR
        pid = instance.holder(folder)
        console.print(f"archgen up (pid {pid}) is starting for {folder}" if pid else
                      f"no archgen up is running for {folder}")
        return EXIT_OK
    mode = "in the background" if running.detached else "in a terminal"
    where = f"; gateway at {running.gateway}" if running.gateway else ""
    console.print(f"archgen up (pid {running.pid}) {mode} for {folder}{where}")
    console.print(ps_table(running.parts, "archgen ps"))
    return EXIT_OK


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("The parts of the system `archgen up shop.yaml` runs", "archgen ps shop.yaml"),
        ("By its output folder", "archgen ps -o generated/shop"),
    ))(ps)
