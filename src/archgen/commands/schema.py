"""`archgen schema`: the JSON Schema of catalog format 1."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from archgen.commands.style import command_settings, output_dir_option
from archgen.exit_codes import EXIT_OK
from archgen.files import write_replacing

SCHEMA_FILE = "catalog.schema.json"


def schema_text() -> str:
    """The schema as `archgen schema` prints it (and schema/catalog.schema.json holds)."""
    from archgen.model.schema import catalog_schema

    return json.dumps(catalog_schema(), indent=2, sort_keys=True) + "\n"


def reference_text() -> str:
    """Every key as Markdown tables (`archgen schema --markdown`; docs/catalog-format.md)."""
    from archgen.model.schema import catalog_schema
    from archgen.model.schema_reference import schema_reference

    return schema_reference(catalog_schema())


def schema(
    output: Annotated[Path | None, output_dir_option(document=SCHEMA_FILE)
                      ] = None,
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="Print every key as Markdown tables (path, type, default, "
                           "description, example) instead of the JSON Schema.")] = False,
) -> int:
    """Print the JSON Schema of the catalog format.

    JSON Schema Draft 2020-12, catalog format 1: for editors (completion, hover) and CI.
    """
    from archgen.commands.common import document_target

    if markdown:
        if output is not None:
            from archgen.errors import UsageError

            raise UsageError("--markdown prints to stdout; -o writes the JSON Schema",
                             "drop -o, or redirect: archgen schema --markdown > keys.md")
        sys.stdout.write(reference_text())
        return EXIT_OK
    text = schema_text()
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    target = document_target(output, SCHEMA_FILE, (".json",))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_replacing(target, text)
    sys.stdout.write(f"Wrote {target}.\n")
    return EXIT_OK


def register(app: typer.Typer) -> None:
    app.command(**command_settings(
        ("Print the schema", "archgen schema"),
        (f"Write schema/{SCHEMA_FILE} (point yaml-language-server at it)",
         "archgen schema -o schema"),
        ("Every key as Markdown tables", "archgen schema --markdown"),
    ))(schema)
