"""Load a catalog file: YAML -> raw model -> resolved model, collecting every finding."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import ValidationError

from archgen.errors import ArchgenError
from archgen.findings import Finding, Location, Severity, sort_key
from archgen.loading import LoadedYaml, SourceMap, load_yaml_file, load_yaml_text
from archgen.model.catalog import Catalog
from archgen.model.resolved import ResolvedCatalog, resolve
from archgen.salvage import SkippedPart, salvage, skipped_parts
from archgen.schema_errors import findings_from_errors
from archgen.secrets import find_secrets, mask_text, redact


@dataclass
class LoadResult:
    file: str
    catalog: ResolvedCatalog | None
    source_map: SourceMap
    findings: list[Finding] = field(default_factory=list)
    text: str = ""  # the decoded source ("" when it could not be decoded)
    # When parts are invalid: the rest, for the rules only (never generated from), and
    # what was cut out. `catalog` stays None so that nothing generates from half a system.
    partial: ResolvedCatalog | None = None
    skipped: list[SkippedPart] = field(default_factory=list)

    @property
    def checkable(self) -> ResolvedCatalog | None:
        """What the rules check: the whole catalog, or the valid part of it."""
        return self.catalog if self.catalog is not None else self.partial

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def load_catalog(path: Path | str, display: str | None = None) -> LoadResult:
    """Load and resolve; raises ArchgenError only when the file cannot be read at all."""
    path, display = catalog_path(Path(path), display)
    with _gc_paused():
        loaded = load_yaml_file(path, display)
        return _build(loaded)


CATALOG_FILE = "catalog.yaml"


def catalog_path(path: Path, display: str | None = None) -> tuple[Path, str]:
    """A folder stands for its catalog.yaml (what `archgen init` writes); the path and its name.

    Raises ArchgenError when a folder has no catalog.yaml: say so rather than "not a file".
    """
    shown = display if display is not None else str(path)
    if not path.is_dir():
        return path, shown
    inner = path / CATALOG_FILE
    if inner.is_file():
        return inner, str(Path(shown) / CATALOG_FILE)
    found = sorted(p.name for p in path.glob("*.y*ml"))[:3]
    hint = (f"pass one of its YAML files: {', '.join(found)}" if found
            else f"pass the catalog file, or run `archgen init` in {shown}")
    raise ArchgenError(f"{shown}: is a folder without a {CATALOG_FILE}", hint)


def load_catalog_text(text: str, display: str = "<string>") -> LoadResult:
    with _gc_paused():
        loaded = load_yaml_text(text, display)
        return _build(loaded)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading allocates about ten objects per line, nearly all of which live on.

    With the cyclic collector running, every 700 allocations start a young
    collection and the growing heap is rescanned by full collections: on a
    2,000-service catalog that was half of the load time. Pause it while
    loading, then move what was allocated straight to the oldest generation
    (freeze + unfreeze), so young collections do not rescan it either. No
    garbage is lost: cycles, if any, are found by the next full collection.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


def _build(loaded: LoadedYaml) -> LoadResult:
    data, source_map = loaded.data, loaded.source_map
    result = LoadResult(source_map.file, None, source_map, list(loaded.findings), loaded.text)
    if not loaded.ok:
        return _sorted(result)
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        result.findings.append(Finding(
            "AG011", "wrong-type", Severity.ERROR,
            f"the catalog is {what}; it must be a mapping with `archgen`, `system` and `services`",
            Location(source_map.file, (), source_map.span(())),
            "run `archgen init` for a catalog to start from"))
        return _sorted(result)
    secrets = find_secrets(data)
    if secrets:  # before anything is built from the data or quoted from the text
        redact(data, secrets)
        result.text = mask_text(result.text, [source_map.values[p] for p, _ in secrets
                                              if p in source_map.values])
    try:
        model = Catalog.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        result.findings.extend(findings_from_errors(errors, data, source_map))
    else:
        if not result.errors:
            result.catalog = replace(resolve(model), redacted=tuple(secrets))
            return _sorted(result)
    # Schema errors or duplicate keys (the data is not what the user wrote): check the rest.
    result.skipped = skipped_parts(result.errors)
    rest = salvage(data, result.skipped)
    # Every secret is reported (AG604 is located by pointer), the skipped parts' too.
    result.partial = (replace(resolve(rest), redacted=tuple(secrets)) if rest is not None
                      else None)
    return _sorted(result)


def _sorted(result: LoadResult) -> LoadResult:
    result.findings.sort(key=sort_key)
    return result
