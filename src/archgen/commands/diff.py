"""`archgen diff OLD NEW` / `archgen diff --against REF [CATALOG]`: breaking changes, exit 0/1/2."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from archgen.commands.report_options import (
    ConfigOption,
    FailOn,
    FormatOption,
    IsolatedOption,
    OutputFormat,
    ReportOption,
    split_items,
)
from archgen.commands.report_options import parse_reports as _reports
from archgen.commands.style import command_settings
from archgen.errors import UsageError

if TYPE_CHECKING:
    from archgen.catalog import LoadResult
    from archgen.validation import FileReport


def diff(
    catalogs: Annotated[list[Path] | None, typer.Argument(
        metavar="CATALOG", show_default=False,
        help="OLD NEW (two catalog files), or with --against the catalogs to compare with "
             "their version at REF.  [default with --against: catalog.yaml]")] = None,
    against: Annotated[str | None, typer.Option(
        metavar="REF", show_default=False,
        help="Compare each CATALOG with itself as it is in this git ref (read with git show, "
             "no checkout), e.g. origin/main.")] = None,
    output_format: FormatOption = OutputFormat.text,
    report: ReportOption = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        show_default=False,
        help="The lowest change class that fails the run (exit 1): error (breaking), "
             "warning (possibly breaking), info (any change), none.  [default: error]")
                       ] = None,
    select: Annotated[list[str] | None, typer.Option(
        metavar="CODES", show_default=False,
        help="Report only these changes: diff codes, slugs or prefixes (AGD1), "
             "comma-separated.")] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        metavar="CODES", show_default=False,
        help="Skip these changes: diff codes, slugs or prefixes, comma-separated.")] = None,
    config: ConfigOption = None,
    isolated: IsolatedOption = False,
    baseline: Annotated[Path | None, typer.Option(
        metavar="FILE", help="Suppress the changes recorded in this baseline file.")] = None,
    removals_in_new: Annotated[bool, typer.Option(
        "--removals-in-new",
        help="Locate removals at their parent in the NEW catalog, the OLD node as related "
             "location, so that CI annotations land on the pull request's files.")] = False,
) -> int:
    """Report the changes between two catalogs: breaking, possibly breaking, compatible.

    Each change names the services, consumers and public clients it breaks.
    """
    from archgen.code_family import Selection
    from archgen.diff.engine import run_diff
    from archgen.findings_run import FindingsOptions, finish

    layer: dict[str, str] = {"fail-on": fail_on.value} if fail_on else {}
    if baseline is not None:
        layer["baseline"] = str(baseline)
    options = FindingsOptions(layer, config, isolated, output_format=output_format.value,
                              reports=_reports(report or []))
    selection = Selection(split_items(select), split_items(ignore))
    outcomes: list[tuple[FileReport, str]] = []
    for old, new in _load_pairs(catalogs or [], against):
        # Settings (archgen.toml, fail-on, baseline) are the NEW catalog's, as validate's.
        settled = options.settle(Path(new.file))
        outcomes.append((run_diff(old, new, selection, settled.known,
                                  removals_in_new=removals_in_new), settled.settings.fail_on))
    return finish(outcomes, options)



def _load_pairs(paths: list[Path], against: str | None
                ) -> list[tuple[LoadResult, LoadResult]]:
    from archgen.catalog import catalog_path
    from archgen.findings_run import load

    if against is None and len(paths) != 2:
        raise UsageError("give two catalogs, OLD and NEW, or catalogs with --against REF",
                         "archgen diff old.yaml new.yaml | archgen diff --against main")
    if against is None:
        return [(load(paths[0]), load(paths[1]))]
    # A folder stands for its catalog.yaml, in the work tree and at the ref alike.
    return [(_at_ref(against, catalog_path(p)[0]), load(p))
            for p in paths or [Path("catalog.yaml")]]


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
    app.command(**command_settings(
        ("Breaking changes between two versions of a catalog",
         "archgen diff old/catalog.yaml catalog.yaml"),
        ("Against the base branch, as a pull request check",
         "archgen diff --against origin/main catalog.yaml"),
        ("Fail on possibly breaking changes too, and keep a SARIF report",
         "archgen diff --against HEAD --fail-on warning --report sarif=diff.sarif"),
    ))(diff)
