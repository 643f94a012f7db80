"""archgen: architecture-as-code for microservice systems.

Public API (imported lazily so that `archgen --version` stays fast):
``load_catalog``, ``load_catalog_text``, ``validate_file``.
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: importing typing (and the `re` it pulls in) at
# least doubles the cost of `archgen --version` in a clean virtualenv. mypy treats any
# name TYPE_CHECKING as true.
TYPE_CHECKING = False

__version__ = "0.1.0"

__all__ = ["__version__", "load_catalog", "load_catalog_text", "validate_file"]

if TYPE_CHECKING:
    from typing import Any

    from archgen.catalog import load_catalog, load_catalog_text
    from archgen.validation import validate_file

_LAZY = {"load_catalog": "archgen.catalog", "load_catalog_text": "archgen.catalog",
         "validate_file": "archgen.validation"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'archgen' has no attribute {name!r}")
