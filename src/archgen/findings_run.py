"""One run of a findings command (`validate`, `diff`, `drift`): catalogs in, reports out.

The three commands differ only in what makes the findings. What surrounds that is
here, once: where a catalog is (a folder stands for its catalog.yaml) and whether it
loads, each catalog's settings (archgen.toml, the command line's layer, the
environment) with its baseline, and the end of the run: the baseline written, or the
findings printed in the chosen format, the `--report` files written and the exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archgen.catalog import LoadResult, catalog_path, load_catalog
from archgen.config import Settings, resolve
from archgen.errors import OutputError, UsageError
from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK
from archgen.files import write_replacing
from archgen.reporting import REPORTERS, RunResult, render_statistics
from archgen.suppression import baseline_text, read_baseline
from archgen.validation import FileReport, exceeds

# Formats whose output is for people: statistics follow them on stdout.
_TEXT_FORMATS = ("text", "full")


@dataclass(frozen=True)
class Settled:
    """A catalog's settings for this run and the fingerprints its baseline suppresses."""

    settings: Settings
    known: frozenset[str]


@dataclass(frozen=True)
class FindingsOptions:
    """What the command line says of settings and reports, the same for each catalog."""

    layer: Mapping[str, Any] = field(default_factory=dict)  # the command line's settings
    config: Path | None = None  # --config
    isolated: bool = False  # --isolated: no archgen.toml
    write_baseline: Path | None = None  # record the findings instead of reporting them
    output_format: str = "text"
    reports: Sequence[tuple[str, Path]] = ()  # --report FORMAT=FILE
    statistics: bool = False  # the number of findings per rule, after the report

    def settle(self, catalog: Path) -> Settled:
        """The settings of `catalog` (its archgen.toml is found from its folder), with the
        baseline they name unless this run writes one."""
        settings = resolve(catalog, dict(self.layer), os.environ, config=self.config,
                           isolated=self.isolated)
        if settings.baseline is None or self.write_baseline is not None:
            return Settled(settings, frozenset())
        return Settled(settings, read_baseline(settings.baseline))


def load(given: Path) -> LoadResult:
    """`given`'s catalog (a folder stands for its catalog.yaml), loaded, not validated:
    its findings say what is wrong."""
    return load_catalog(*catalog_path(given))


def loaded(result: LoadResult) -> LoadResult:
    """`result` when it holds a catalog; else a usage error that points to `validate`."""
    if result.catalog is not None and not result.errors:
        return result
    first = result.errors[0] if result.errors else None
    detail = f" ({first.code} {first.message})" if first else ""
    raise UsageError(f"{result.file}: the catalog does not load{detail}",
                     f"run `archgen validate {result.file}` first")


def finish(outcomes: Sequence[tuple[FileReport, str]], options: FindingsOptions) -> int:
    """The run's end, for each catalog its report and its `fail-on` severity: the baseline
    written (exit 0), or the findings reported; exit 1 when a report holds findings at or
    above its catalog's `fail-on`."""
    reports = [report for report, _ in outcomes]
    if options.write_baseline is not None:
        count = sum(len(r.findings) for r in reports)
        write_report(options.write_baseline,
                     baseline_text(f for r in reports for f in r.findings))
        sys.stdout.write(f"Wrote {count} finding(s) to the baseline "
                         f"{options.write_baseline}.\n")
        return EXIT_OK
    failed = any(exceeds([report], level) for report, level in outcomes)
    code = EXIT_FINDINGS if failed else EXIT_OK
    run = RunResult(reports, code, Path.cwd(), "archgen " + " ".join(sys.argv[1:]))
    sys.stdout.write(REPORTERS[options.output_format](run))
    if options.statistics:  # on stderr when stdout must stay parseable (json, sarif...)
        text_like = options.output_format in _TEXT_FORMATS
        (sys.stdout if text_like else sys.stderr).write(render_statistics(run))
    for fmt, target in options.reports:
        write_report(target, REPORTERS[fmt](run))
    return code


def write_report(target: Path, text: str) -> None:
    """A report or baseline file, replaced whole (never half-written)."""
    try:
        write_replacing(target, text)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
