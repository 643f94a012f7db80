"""The external validators some tests run, and what happens when one is missing.

On a developer's machine a missing validator skips the test with the install command.
Under CI=true it fails the test: CI must never pass because a validator was absent.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[1]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"

NPM_INSTALL = "run `npm ci` in the repository root"


# The checkout's npm packages; node resolves the parser's imports from here too. A git
# worktree has none of its own: `ln -s <main checkout>/node_modules node_modules`.
NODE_MODULES = ROOT / "node_modules"
ASYNCAPI_SPECS = NODE_MODULES / "@asyncapi" / "specs" / "schemas" / "3.0.0.json"
ASYNCAPI_PARSER = NODE_MODULES / "@asyncapi" / "parser"


def missing(what: str, install: str) -> NoReturn:
    """Skip (developer) or fail (CI=true) because the validator `what` is not installed."""
    message = f"{what} is not installed: {install}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing validator fails the run)", pytrace=False)
    pytest.skip(message)


def require(available: bool, what: str, install: str = NPM_INSTALL) -> None:
    if not available:
        missing(what, install)
