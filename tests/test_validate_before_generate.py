"""`validate` and `generate` stay in step: what validates clean generates, and whatever
`generate` refuses, `validate` has already reported as a located error with its fix."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from archgen.findings import Severity
from archgen.generation import build_context, plan_outputs
from archgen.generators import GENERATORS
from archgen.generators.common import GenerationError
from archgen.validation import validate_file, validate_text
from tests.helpers import ROOT, run_archgen

TODAY = date(2026, 1, 2)


def _clean(path: Path) -> bool:
    report = validate_file(path, today=TODAY)
    loaded = report.load
    return (loaded is not None and loaded.catalog is not None and not loaded.errors
            and not any(f.severity is Severity.ERROR for f in report.findings))


CATALOGS = sorted(p for folder in ("tests", "blueprints") for p in (ROOT / folder).rglob("*.y*ml")
                  if "node_modules" not in p.parts)
CLEAN = [p for p in CATALOGS if _clean(p)]


def test_the_clean_catalogs_include_the_blueprints_and_the_hard_names() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in CLEAN}
    assert {"blueprints/ecommerce/catalog.yaml", "blueprints/minimal/catalog.yaml",
            "tests/fixtures/python_names.yaml"} <= names, names


@pytest.mark.parametrize("catalog", CLEAN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_catalog_that_validates_clean_generates_every_kind(catalog: Path,
                                                                 tmp_path: Path) -> None:
    result = run_archgen("generate", str(catalog), "-o", str(tmp_path / "out"))
    assert result.code == 0, result.err or result.out[-2000:]
    assert (tmp_path / "out" / ".archgen-manifest.json").is_file()


_HEAD = ("archgen: 1\nsystem: {name: shop}\n"
         "gateway: {technology: kong, versions: [v1], auth: {type: jwt}}\n")
# Every catalog `generate` refuses (GenerationError), with the rule that reports it first.
REFUSED = {
    "AG106": _HEAD + "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{id}: A\n"
                     "  b:\n    endpoints:\n      GET /api/v1/x/{key}: B\n",
    "AG314": _HEAD + "services:\n  contacts-service:\n    endpoints:\n"
                     "      GET /api/v1/contacts/{contactsId}: Read\n"
                     "      DELETE /api/v1/contacts/{id}: Delete\n",
    "AG314-gateway": _HEAD + "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{xId}: A\n"
                             "  b:\n    endpoints:\n      DELETE /api/v1/x/{id}: B\n",
    "AG315": _HEAD + "services:\n  gateway: {endpoints: {GET /api/v1/x: X}}\n",
    "AG108": _HEAD.replace("auth: {type: jwt}}", "auth: {type: jwt},\n"
                           "          aggregations: {GET /api/v1/s: ['a GET /api/v1/nope']}}")
    + "services:\n  a:\n    endpoints:\n      GET /api/v1/x: X\n",
    "AG112": _HEAD.replace("auth: {type: jwt}}", "auth: {type: jwt},\n"
                           "          aggregations: {'GET /api/v1/s/{id}': "
                           "['a GET /api/v1/x/{xId}']}}")
    + "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{xId}: X\n",
    "AG113": _HEAD.replace("auth: {type: jwt}}", "auth: {type: jwt},\n"
                           "          aggregations: {'GET /api/v1/s/{id}': "
                           "['a GET /api/v1/x/{b.a_id}', 'b GET /api/v1/y/{id}']}}")
    + "services:\n  a:\n    endpoints:\n      GET /api/v1/x/{id}: X\n"
    + "  b:\n    endpoints:\n      GET /api/v1/y/{id}: Y\n",
}
# Where the generators refuse (`raise GenerationError`), and what catches it first: the
# rules, or a reason no rule can (it depends on something outside the catalog).
REFUSAL_SITES = {
    "openapi_gateway.py": ("AG106", "AG314"),  # a route claimed twice; one path spelled twice
    "openapi.py": ("AG315",),  # a service named like openapi/gateway.yaml
    # A call to no endpoint; a parameter nobody supplies; one read from no earlier answer.
    "aggregator.py": ("AG108", "AG112", "AG113"),
    # A team's cookiecutter template (technology.template): its content is not the catalog's.
    "services/__init__.py": ("a trusted template that fails to render",
                             "a template that cannot be fetched (a URL, a zip file)",
                             "a template the sandbox refuses (hooks, extensions, links)",
                             "a template that fails to render in the sandbox"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_generate_refuses_validate_reports_first(case: str) -> None:
    from archgen.catalog import load_catalog_text

    code = case.split("-", maxsplit=1)[0]
    text = REFUSED[case]
    catalog = load_catalog_text(text, "c.yaml").catalog
    assert catalog is not None
    with pytest.raises(GenerationError):
        plan_outputs(build_context(catalog, TODAY), list(GENERATORS))
    report = validate_text(text, "c.yaml", today=TODAY)
    found = [f for f in report.findings if f.code == code]
    assert found and all(f.severity is Severity.ERROR for f in found), report.findings
    assert all(f.location.span is not None and f.location.span.line > 1 for f in found)
    assert all(f.hint for f in found)


def test_every_refusal_of_the_generators_is_accounted_for() -> None:
    """A new `raise GenerationError` needs a rule that reports its catalogs first (and a
    case in REFUSED), or a reason in REFUSAL_SITES why no rule can."""
    sources = ROOT / "src" / "archgen" / "generators"
    sites = {path.relative_to(sources).as_posix(): len(re.findall(
        r"raise GenerationError\(", path.read_text(encoding="utf-8")))
        for path in sources.rglob("*.py")}
    assert {path: n for path, n in sites.items() if n} == {
        path: len(caught) for path, caught in REFUSAL_SITES.items()}
    codes = {c for caught in REFUSAL_SITES.values() for c in caught if c.startswith("AG")}
    assert codes == {case.split("-", maxsplit=1)[0] for case in REFUSED}


def _loadable(path: Path) -> bool:
    loaded = validate_file(path, today=TODAY).load
    return loaded is not None and loaded.catalog is not None and not loaded.errors


@pytest.mark.slow
@pytest.mark.parametrize("catalog", [p for p in CATALOGS if _loadable(p)],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_generate_never_crashes_and_refuses_only_what_validate_reported(catalog: Path) -> None:
    """Every catalog that loads, rule errors and all (`generate` writes despite them): the
    generators finish, or refuse one whose errors `validate` has already reported."""
    report = validate_file(catalog, today=TODAY)
    assert report.load is not None and report.load.catalog is not None
    try:
        plan_outputs(build_context(report.load.catalog, TODAY, report.findings),
                     list(GENERATORS))
    except GenerationError as exc:
        errors = [f.code for f in report.findings if f.severity is Severity.ERROR]
        assert errors, f"generate refused a catalog validate passed: {exc.message}"
