"""Suite-wide settings: tests marked `slow` run in CI, and on request locally.

A developer's `pytest` deselects them (they start browsers, build wheels, run
pre-commit); `pytest --slow`, `pytest -m slow` and any run under CI=true include them.
"""

from __future__ import annotations

import pytest

from tests.tools import in_ci

pytest_plugins = ["pytester"]  # tests/test_tools.py runs the suite's own settings


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true",
                     help="also run the tests marked slow (CI=true always does)")
    parser.addoption("--soak", action="store_true",
                     help="run the dashboard's soak test for 30 minutes, not the short one "
                          "(tests/runtime/test_soak.py; with --slow)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if in_ci() or config.getoption("--slow") or config.getoption("markexpr"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


def pytest_report_header(config: pytest.Config) -> str:
    if in_ci() or config.getoption("--slow") or config.getoption("markexpr"):
        return "archgen: running every test (slow ones included)"
    return "archgen: tests marked slow are deselected; `pytest --slow` runs them (CI does)"
