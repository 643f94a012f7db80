"""What the commands that turn a catalog into files share: loading it, writing the result."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archgen.model.resolved import ResolvedCatalog
    from archgen.output import OutputFile
    from archgen.validation import FileReport


def run_clock() -> date:
    """The run's date, read once at the edge: SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()


def refuse(report: FileReport) -> int:
    """Print the findings that stop a catalog from being turned into files."""
    from archgen.reporting import render_text

    sys.stdout.write(render_text([report]))
    sys.stdout.write("Nothing written: fix the errors above first.\n")
    return EXIT_FINDINGS


def load_resolved(path: Path) -> ResolvedCatalog | None:
    """The resolved catalog, or None after printing why nothing can be made of it."""
    from archgen.catalog import load_catalog
    from archgen.validation import FileReport

    loaded = load_catalog(path)
    if loaded.catalog is not None and not loaded.errors:
        return loaded.catalog
    refuse(FileReport(loaded.file, list(loaded.findings), loaded))
    return None


def write_files(out_dir: Path, files: Sequence[OutputFile], generators: Sequence[str]) -> int:
    """Write through the writer (manifest, atomic writes, user files untouched)."""
    from archgen import writer
    from archgen.reporting import clean

    result = writer.write(out_dir, files, generators)
    for change in result.skipped:
        sys.stdout.write(clean(change.line()) + "\n")
    written = sum(1 for c in result.changes if c.action.value in ("create", "update"))
    sys.stdout.write(f"Wrote {written} of {len(files)} files to {out_dir} "
                     f"({len(files) - written - len(result.skipped)} unchanged).\n")
    return EXIT_FINDINGS if result.skipped else EXIT_OK


def deprecated(old: str, new: str) -> None:
    """Say once, on stderr, that a spelling still works but has a replacement."""
    sys.stderr.write(f"archgen: warning: {old} is deprecated; use {new}\n")


def document_target(output: Path, name: str, suffixes: tuple[str, ...]) -> Path:
    """Where a one-document command writes under `-o DIR`: DIR/name.

    Up to archgen 0.1.0 `-o` named the file itself; a path ending in the document's suffix
    that is not a folder is still taken as that file, with a deprecation warning.
    """
    if output.suffix in suffixes and not output.is_dir():
        deprecated(f"-o {output} (a file)", f"-o {output.parent} (a folder; writes {name})")
        return output
    return output / name
