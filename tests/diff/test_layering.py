"""archgen.diff reads resolved models and reports findings: no generators, writer or CLI."""

from __future__ import annotations

from tests.test_imports import _violations, reachable


def test_diff_imports_point_one_way() -> None:
    forbidden = ("archgen.generators", "archgen.writer", "archgen.commands", "archgen.cli",
                 "jinja2", "typer", "rich")
    assert _violations("archgen.diff", forbidden) == {}


def test_the_rules_hold_the_diff_codes_documentation_without_the_checks() -> None:
    """`archgen rule AGD101` and SARIF need the docs; they must not load the checks."""
    reached = {m for m in reachable("archgen.rules") if m.startswith("archgen.diff")}
    assert reached == set(), reached
