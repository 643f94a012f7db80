"""What the commands share besides their option style: the run's clock, deprecations,
where a one-document command writes. The run itself is archgen.pipeline's."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

RUN_EXTRA_HINT = "install the runtime with `pip install 'archgen[run]'`"


def run_clock() -> date:
    """The run's date, read once at the edge: SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()


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
