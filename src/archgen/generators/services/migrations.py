"""A relational service's Alembic revisions: each written once, then never rewritten.

`migrations/schema.json` (managed) records the schema the last revision leaves and that
revision's id. A run whose catalog gives the same schema adds nothing; one that changes
it adds the next revision (`0002_catalog.py`, ...), the difference between the recorded
schema and the new one, and records the new schema. With no record (a new output folder)
the first revision, `0001_initial.py`, creates the whole schema. Revisions are the team's
files once written (scaffold ownership): archgen never rewrites or removes them, so a
database that applied one is never out of step with the files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archgen.generators.services.schema import (
    Schema,
    Table,
    operations,
    read_snapshot,
    snapshot,
    summary,
)
from archgen.output import OutputFile, Ownership
from archgen.templating import render_inputs

SNAPSHOT = "migrations/schema.json"
VERSIONS = "migrations/versions"
FIRST = "0001_initial"


@dataclass(frozen=True)
class RevisionTemplate:
    """What a revision's template places."""

    revision: str
    down_revision: str | None
    message: str  # the docstring's first line
    changes: tuple[str, ...]  # one line per table it changes (none for the first)
    upgrade: tuple[str, ...]  # Alembic operations, Python source
    downgrade: tuple[str, ...]
    uses_postgresql: bool  # an operation names a PostgreSQL type: import the dialect
    lit: Callable[[Any], str] = field(default=repr, repr=False)


def migration_files(root: str, service: str, schema: Schema, written: Path | None,
                    generator: str, problems: list[str]) -> list[OutputFile]:
    """The revisions under `root` (a service's folder in the output): those `written`
    already holds, as they are, and the one the catalog's change needs, with the record.
    A record that does not read (edited by hand, cut short) is a problem: the files
    written stay as they are and no revision is made against a schema not known."""
    previous: tuple[str, tuple[Table, ...]] | None = None
    out: list[OutputFile] = []
    if written is not None:
        versions = written / VERSIONS
        if versions.is_dir():  # bytes: kept exactly as they are, not even reformatted
            out += [OutputFile(f"{root}{VERSIONS}/{p.name}", p.read_bytes(), generator,
                               Ownership.SCAFFOLD) for p in sorted(versions.glob("*.py"))]
        record = written / SNAPSHOT
        if record.is_file():
            kept = record.read_bytes()
            try:
                previous = read_snapshot(kept.decode("utf-8"))
                int(previous[0].split("_")[0])  # the next revision's number follows it
            except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
                problems.append(f"{record}: not the schema record archgen writes "
                                f"({type(exc).__name__}: {str(exc)[:200]}); restore it from "
                                "version control, then generate again")
                return [*out, OutputFile(f"{root}{SNAPSHOT}", kept, generator)]
    old: tuple[Table, ...] = ()
    if previous is None:
        revision, down = FIRST, None
        message = f"The tables of {service} as the catalog first described them."
    else:
        head, old = previous
        if old == schema.tables:
            return [*out, OutputFile(f"{root}{SNAPSHOT}", snapshot(head, old), generator)]
        revision, down = f"{int(head.split('_')[0]) + 1:04d}_catalog", head
        message = f"The catalog's changes to the tables of {service}."
    upgrade = operations(old, schema.tables, schema.backfill)
    downgrade = operations(schema.tables, old)
    text = render_inputs("services/migrations/revision.py.jinja", RevisionTemplate(
        revision=revision, down_revision=down, message=message,
        changes=tuple(summary(old, schema.tables)) if old else (), upgrade=tuple(upgrade),
        downgrade=tuple(downgrade),
        uses_postgresql=any("postgresql." in line for line in upgrade + downgrade)))
    path = f"{root}{VERSIONS}/{revision}.py"
    out = [f for f in out if f.path != path]
    out.append(OutputFile(path, text, generator, Ownership.SCAFFOLD))
    out.append(OutputFile(f"{root}{SNAPSHOT}", snapshot(revision, schema.tables), generator))
    return out

