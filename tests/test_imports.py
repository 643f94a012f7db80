"""Imports point one way (docs/architecture.md, "Layers"), through the whole chain.

Every import counts, function-level ones included (archgen imports lazily to
keep start-up fast, and a lazy import is still a dependency); only imports
under `if TYPE_CHECKING:` are left out, since they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest

from tests.helpers import ROOT

SRC = ROOT / "src"
PACKAGE = SRC / "archgen"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> Iterable[ast.AST]:
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            stack.append(child)


@cache
def direct_imports(module: str) -> frozenset[str]:
    """Module names `module` imports at run time (for `from a import b`: a, and a.b if a module)."""
    names: set[str] = set()
    for node in _runtime_nodes(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names
                         if f"{node.module}.{a.name}" in MODULES)
    return frozenset(names)


@cache
def reachable(module: str) -> frozenset[str]:
    """Everything `module` imports, directly or through other archgen modules."""
    seen: set[str] = set()
    stack = [module]
    while stack:
        current = stack.pop()
        for name in direct_imports(current):
            if name in seen:
                continue
            seen.add(name)
            # importing archgen.a.b runs archgen/__init__ and archgen/a/__init__ as well
            parts = name.split(".")
            stack.extend(p for p in (".".join(parts[:i]) for i in range(1, len(parts) + 1))
                         if p in MODULES and p != current)
    return frozenset(seen)


def _in(package: str) -> list[str]:
    return sorted(m for m in MODULES if m == package or m.startswith(package + "."))


def _violations(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    out = {}
    for module in _in(package):
        bad = sorted(n for n in reachable(module)
                     if any(n == f or n.startswith(f + ".") for f in forbidden))
        if bad:
            out[module] = bad
    return out


@pytest.mark.parametrize(("package", "forbidden"), [
    ("archgen.model", ("jinja2", "typer", "rich", "yaml", "archgen.loading", "archgen.cli",
                       "archgen.generators", "archgen.rules", "archgen.writer")),
    ("archgen.output", ("archgen",)),
    ("archgen.generators", ("archgen.rules", "archgen.writer", "archgen.commands",
                            "archgen.cli", "archgen.runtime", "archgen.validation", "typer")),
    ("archgen.rules", ("archgen.generators", "archgen.writer", "archgen.commands",
                       "archgen.cli", "jinja2")),
    ("archgen.writer", ("archgen.generators", "archgen.rules", "archgen.commands",
                        "archgen.cli", "jinja2", "typer", "rich")),
    ("archgen.runtime", ("archgen.commands", "archgen.cli", "typer")),
    ("archgen.drift", ("archgen.commands", "archgen.cli", "archgen.runtime.runner", "typer")),
])
def test_imports_point_one_way_through_the_whole_chain(package: str,
                                                       forbidden: tuple[str, ...]) -> None:
    assert _violations(package, forbidden) == {}


def test_the_chain_walk_sees_lazy_and_indirect_imports() -> None:
    """The checker itself: a function-level import two modules away is found."""
    assert "archgen.rules" in reachable("archgen.validation")
    assert "jinja2" in reachable("archgen.generators.docs")  # via docs.render -> templating


def test_only_the_cli_edge_imports_typer() -> None:
    for module in MODULES:
        if module == "archgen.cli" or module.startswith("archgen.commands"):
            continue
        assert "typer" not in direct_imports(module), module
