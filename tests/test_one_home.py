"""Facts more than one output needs are decided in one place: `snake()`, the table of
rate-limit period lengths and what a condition's comparisons mean each have one
definition, which the others import."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "src" / "archgen"
PERIODS = {("second", 1), ("minute", 60), ("hour", 3600), ("day", 86400)}


def _trees(root: Path) -> Iterator[tuple[str, ast.AST]]:
    for path in sorted(root.rglob("*.py")):
        yield path.relative_to(root).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def snake_definitions(root: Path) -> list[str]:
    return [f"{name}:{node.lineno}" for name, tree in _trees(root) for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") == "snake"]


def period_tables(root: Path) -> list[str]:
    """Dict literals pairing period names with their seconds, either way round."""
    found = []
    for name, tree in _trees(root):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict):
                continue
            pairs = {(k.value, v.value) for k, v in zip(node.keys, node.values, strict=True)
                     if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)}
            both_ways = pairs | {(v, k) for k, v in pairs}  # 1.0 == 1: float tables count
            if len(both_ways & PERIODS) >= 2:
                found.append(f"{name}:{node.lineno}")
    return found


def comparison_readers(root: Path) -> list[str]:
    """Modules that name all four ordering operators of a condition as strings: each one
    reads comparisons itself (the catalog's descriptions only document them)."""
    found = []
    for name, tree in _trees(root):
        strings = {n.value for n in ast.walk(tree)
                   if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        if strings >= ORDERING and name != "model/descriptions.py":
            found.append(name)
    return found


ORDERING = {"gt", "ge", "lt", "le"}


def test_snake_has_one_definition() -> None:
    assert snake_definitions(PACKAGE) == ["model/names.py:" + _line("def snake(")]


def test_the_period_lengths_have_one_table() -> None:
    assert period_tables(PACKAGE) == [
        "model/catalog.py:" + _line("PERIOD_SECONDS: dict", "model/catalog.py")]


def test_conditions_are_read_in_one_place() -> None:
    """The validator, the sequence diagrams and the smoke flow ask model/conditions.py
    whether a condition can hold, two exclude each other, or a value passes."""
    assert comparison_readers(PACKAGE) == ["model/conditions.py"]


def _line(text: str, path: str = "model/names.py") -> str:
    lines = (PACKAGE / path).read_text(encoding="utf-8").splitlines()
    return str(next(i for i, line in enumerate(lines, 1) if line.startswith(text)))
