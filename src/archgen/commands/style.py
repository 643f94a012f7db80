"""How every command's help looks, in one place (the conventions are in cli.py's docstring).

`ArchgenCommand` is typer's command with one change: an argument that names its
own metavar (CATALOG...) shows only that, not typer's Python type (`<list[Path]>`).
`examples()` builds the epilog every command ends its help with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

# Typer's click formats help through `HelpFormatter`; `\b` keeps the next paragraph's lines
# as written instead of rewrapping them into one.
_KEEP_LINES = "\b"


class ArchgenCommand(TyperCommand):
    """A typer command whose help names values by metavar, never by Python type."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        args: list[tuple[str, str]] = []
        opts: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                args.append((param.metavar or record[0], record[1]))
            else:
                opts.append(record)
        if args:
            with formatter.section("Arguments"):
                formatter.write_dl(args)
        if opts:
            with formatter.section("Options"):
                formatter.write_dl(opts)


def examples(*pairs: tuple[str, str]) -> str:
    """The `Examples:` epilog: (what it does, the command line) pairs, lines kept as written."""
    lines = [_KEEP_LINES]
    for what, command in pairs:
        lines += [f"  # {what}", f"  $ {command}"]
    return "Examples:\n\n" + "\n".join(lines) + "\n"


def command_settings(*pairs: tuple[str, str]) -> dict[str, Any]:
    """Keyword arguments for `app.command(...)`: archgen's help class and the examples."""
    return {"cls": ArchgenCommand, "epilog": examples(*pairs)}


# The parameters several commands share, so a flag name means one thing everywhere.
CatalogArg = Annotated[Path, typer.Argument(
    metavar="CATALOG", help="The catalog file.  [default: catalog.yaml]",
    show_default=False)]
"""The one catalog a command reads (validate takes several)."""


def output_dir_option(default: str = "", *, document: str = "") -> Any:
    """`-o/--output DIR`: the folder a command writes into (one meaning on every command).

    Commands that print one `document` by default write it into DIR under its usual name.
    """
    text = (f"Write {document} into this folder instead of printing it." if document
            else "The folder to write into.")
    if default:
        text += f"  [default: {default}]"
    return typer.Option("--output", "-o", metavar="DIR", help=text, show_default=False)


def trust_templates_option() -> Any:
    """`--trust-templates`: team cookiecutter templates run as cookiecutter runs them.

    Only the command line says so: a catalog (which a pull request may edit) never can.
    """
    return typer.Option(
        "--trust-templates",
        help="Render the services' own cookiecutter templates (technology.template) with "
             "cookiecutter itself, hooks and all. Without it they render in a sandbox that "
             "runs none of their code.")


def running_output_option() -> Any:
    """`-o/--output DIR` of the commands that find a running `archgen up` (ps, logs, down):
    the output folder it runs from."""
    return typer.Option("--output", "-o", metavar="DIR", show_default=False,
                        help="The output folder `archgen up` runs from.  "
                             "[default: generated/<system.name> of the catalog]")
