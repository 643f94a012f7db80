"""Imports point one way (ARCHITECTURE.md): the model stays free of I/O and presentation."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

SRC = ROOT / "src" / "archgen"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _package_imports(folder: str) -> dict[Path, set[str]]:
    return {p: _imports(p) for p in (SRC / folder).rglob("*.py")}


def test_model_imports_no_io_or_presentation() -> None:
    forbidden = ("jinja2", "typer", "rich", "yaml", "archgen.loading", "archgen.cli")
    for path, names in _package_imports("model").items():
        bad = {n for n in names if n.startswith(forbidden)}
        assert not bad, f"{path.name} imports {bad}"


def test_rules_and_generators_do_not_import_each_other() -> None:
    for path, names in _package_imports("rules").items():
        assert not any(n.startswith("archgen.generators") for n in names), path
    for path, names in _package_imports("generators").items():
        assert not any(n.startswith("archgen.rules") for n in names), path


def test_only_the_cli_edge_imports_typer() -> None:
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel == "cli.py" or rel.startswith("commands/"):
            continue
        assert "typer" not in _imports(path), rel


def test_generators_never_import_the_runtime_and_the_runtime_no_command() -> None:
    for path, names in _package_imports("generators").items():
        assert not any(n.startswith("archgen.runtime") for n in names), path
    for path, names in _package_imports("runtime").items():
        assert not any(n.startswith(("archgen.commands", "archgen.cli")) for n in names), path
