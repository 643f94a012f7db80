"""`archgen diff OLD NEW` / `archgen diff --against REF [CATALOG]`: breaking changes, exit 0/1/2."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archgen.commands.validate import FailOn, OutputFormat, _outputs, _write
from archgen.errors import UsageError
from archgen.exit_codes import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archgen.catalog import LoadResult


def diff(
    catalogs: Annotated[list[Path] | None, typer.Argument(
        help="OLD NEW (two catalog files), or with --against the catalogs to compare "
             "with their version at REF (default: ./catalog.yaml).")] = None,
    against: Annotated[str | None, typer.Option(
        help="Compare CATALOG with itself as it is in this git ref (read with git show, "
             "no checkout), e.g. origin/main.")] = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="Format on stdout.")] = OutputFormat.text,
    output: Annotated[list[str] | None, typer.Option(
        "--output", "-o", help="Also write FORMAT=FILE (repeatable), e.g. -o sarif=out.sarif."
    )] = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        help="Lowest change class that fails the run: error (breaking, the default), "
             "warning (possibly breaking), info (any change), none.")] = None,
    select: Annotated[list[str] | None, typer.Option(
        help="Only these diff codes: codes, slugs or prefixes (AGD1), comma-separated.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        help="Skip these diff codes: codes, slugs or prefixes, comma-separated.")] = None,
    config: Annotated[Path | None, typer.Option(
        help="Use this archgen.toml or pyproject.toml instead of searching.")] = None,
    isolated: Annotated[bool, typer.Option(
        help="Ignore configuration files (archgen.toml, pyproject.toml).")] = False,
    baseline: Annotated[Path | None, typer.Option(
        help="Suppress the changes recorded in this baseline file.")] = None,
) -> int:
    """Report what changed between two catalogs: breaking, possibly breaking, compatible."""
    from archgen.config import resolve
    from archgen.diff.engine import Selection, run_diff
    from archgen.files import write_replacing
    from archgen.reporting import REPORTERS, RunResult
    from archgen.suppression import read_baseline
    from archgen.validation import exceeds

    targets = _outputs(output or [])
    layer: dict[str, str] = {"fail-on": fail_on.value} if fail_on else {}
    if baseline is not None:
        layer["baseline"] = str(baseline)
    selection = Selection(_split(select), _split(ignore))
    reports, failed = [], False
    for old, new in _load_pairs(catalogs or [], against):
        # Settings (archgen.toml, fail-on, baseline) are the NEW catalog's, as validate's.
        settings = resolve(Path(new.file), layer, os.environ, config=config, isolated=isolated)
        known = read_baseline(settings.baseline) if settings.baseline else frozenset()
        report = run_diff(old, new, selection, known)
        failed = failed or exceeds([report], settings.fail_on)
        reports.append(report)
    code = EXIT_FINDINGS if failed else EXIT_OK
    run = RunResult(reports, code, Path.cwd(), "archgen " + " ".join(sys.argv[1:]))
    sys.stdout.write(REPORTERS[output_format.value](run))
    for fmt, target in targets:
        _write(target, REPORTERS[fmt](run), write_replacing)
    return code


def _split(items: list[str] | None) -> tuple[str, ...]:
    return tuple(s.strip() for item in items or [] for s in item.split(",") if s.strip())


def _load_pairs(paths: list[Path], against: str | None
                ) -> list[tuple[LoadResult, LoadResult]]:
    from archgen.catalog import load_catalog

    if against is None:
        if len(paths) != 2:
            raise UsageError("give two catalogs, OLD and NEW, or catalogs with --against REF",
                             "archgen diff old.yaml new.yaml | archgen diff --against main")
        return [(load_catalog(paths[0]), load_catalog(paths[1]))]
    return [(_at_ref(against, path), load_catalog(path))
            for path in paths or [Path("catalog.yaml")]]


def _at_ref(against: str, path: Path) -> LoadResult:
    from archgen.catalog import load_catalog_text
    from archgen.diff.git import show_at_ref
    from archgen.loading import decode_catalog_bytes

    if not path.is_file():
        raise UsageError(f"{path}: catalog not found")
    raw, display = show_at_ref(against, path)
    text, problems = decode_catalog_bytes(raw, display)
    if text is None:
        message = problems[0].message if problems else "cannot decode"
        raise UsageError(f"{display}: {message}")
    return load_catalog_text(text, display)


def register(app: typer.Typer) -> None:
    app.command()(diff)
