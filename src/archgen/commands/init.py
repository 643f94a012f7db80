"""`archgen init`: start a catalog from a blueprint."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from archgen.commands.style import command_settings
from archgen.errors import OutputError
from archgen.exit_codes import EXIT_OK
from archgen.files import write_new

# Listed here so `--help` needs no disk access; a test keeps it equal to blueprints/.
BLUEPRINTS = ("ecommerce", "food-delivery", "minimal")
_CATALOG_SUFFIXES = (".yaml", ".yml")


def init(
    target: Annotated[Path, typer.Argument(
        metavar="PATH", show_default=False,
        help="The catalog file to create (a path ending in .yaml or .yml), or a folder to "
             "create catalog.yaml in.  [default: catalog.yaml]")] = Path("."),
    blueprint: Annotated[str, typer.Option(
        "--blueprint", "-b", metavar="NAME",
        help=f"The blueprint to start from: {', '.join(BLUEPRINTS)}.")] = "ecommerce",
) -> int:
    """Create a catalog from a blueprint. Never overwrites a file."""
    from archgen.resources import blueprint_catalog

    source = blueprint_catalog(blueprint)
    catalog = catalog_path(target)
    catalog.parent.mkdir(parents=True, exist_ok=True)
    write_new(catalog, source.read_text(encoding="utf-8"))
    typer.echo(f"Created {catalog} from the {blueprint} blueprint. "
               f"Next: archgen validate {catalog}")
    return EXIT_OK


def catalog_path(target: Path) -> Path:
    """The file `init` creates: TARGET itself if it names a YAML file, else TARGET/catalog.yaml.

    Refuses (exit 2, one line) an existing file, and a folder path that runs into a file.
    """
    catalog = target if target.suffix in _CATALOG_SUFFIXES and not target.is_dir() \
        else target / "catalog.yaml"
    if catalog.exists():
        raise OutputError(f"{catalog} already exists; refusing to overwrite it",
                          "name a new file, e.g. `archgen init new-catalog.yaml`")
    for parent in (catalog.parent, *catalog.parent.parents):
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"{parent} is a file, not a folder",
                              "give a new .yaml file name or a folder")
    return catalog


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("catalog.yaml in the current folder, from the e-commerce blueprint", "archgen init"),
        ("A small catalog in a file of your choosing", "archgen init shop.yaml -b minimal"),
        ("A new folder with catalog.yaml in it", "archgen init services/"),
    ))(init)
