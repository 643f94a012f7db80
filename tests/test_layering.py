"""The package layering of archgen.layering holds in the code.

Every import counts, top-level and function-level alike; only imports under
`if TYPE_CHECKING:` are left out, since they never run. The checker runs on the
real source and on small synthetic module sets with one violation planted each,
so a checker that finds nothing cannot pass.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

import networkx as nx
import pytest

from archgen.layering import BASE, COMMAND_HELPERS, LAZY_IMPORTS, Lazy, package_of, within
from tests.helpers import ROOT

SRC = ROOT / "src"


class Import(NamedTuple):
    importer: str
    imported: str
    lazy: bool  # inside a function
    line: int


def _module_name(parts: Sequence[str]) -> str:
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def real_sources() -> dict[str, str]:
    return {_module_name(p.relative_to(SRC).with_suffix("").parts): p.read_text(encoding="utf-8")
            for p in (SRC / "archgen").rglob("*.py")}


def _type_checking(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(module: str, source: str, known: Mapping[str, str]) -> Iterator[Import]:
    """The run-time imports of one module; `from a import b` names a.b when it is a module."""
    def walk(node: ast.AST, lazy: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                assert isinstance(child, ast.If)
                for other in child.orelse:
                    yield from walk(other, lazy)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(module, alias.name, lazy, child.lineno)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                targets = [f"{child.module}.{a.name}" for a in child.names
                           if f"{child.module}.{a.name}" in known]
                for target in targets or [child.module]:
                    yield Import(module, target, lazy, child.lineno)
            yield from walk(child, lazy or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

    yield from walk(ast.parse(source), False)


def problems(sources: Mapping[str, str], lazy: Sequence[Lazy] = LAZY_IMPORTS) -> list[str]:
    """Every breach of the layering in this module set, one line each."""
    found = [i for module, text in sources.items() for i in imports(module, text, sources)]
    ours = [i for i in found if within(i.imported, "archgen")]
    out: list[str] = []
    graph: nx.DiGraph[str] = nx.DiGraph()
    for i in ours:
        if package_of(i.importer) != package_of(i.imported):
            graph.add_edge(package_of(i.importer), package_of(i.imported))
    for cycle in nx.strongly_connected_components(graph):
        if len(cycle) > 1:
            out.append(f"package cycle: {' <-> '.join(sorted(cycle))}")
    for i in ours:
        where = f"{i.importer}:{i.line} imports {i.imported}"
        if (within(i.importer, "archgen.commands") and i.importer not in COMMAND_HELPERS
                and within(i.imported, "archgen.commands")
                and i.imported not in COMMAND_HELPERS):
            out.append(f"a command imports another command: {where}")
        if within(i.importer, "archgen.runtime") and within(i.imported, "archgen.generators"):
            out.append(f"the runtime imports a generator: {where}")
        if within(i.importer, "archgen.model") and not within(i.imported, "archgen.model") \
                and i.imported not in BASE:
            out.append(f"the model imports above it: {where}")
        if i.importer in BASE and i.imported not in BASE:
            out.append(f"a base module imports above it: {where}")
    used: set[Lazy] = set()
    for i in found:
        if not i.lazy or not within(i.importer, "archgen"):
            continue
        entry = next((e for e in lazy if within(i.importer, e.importer)
                      and within(i.imported, e.imported)), None)
        if entry is None:
            out.append(f"a function-level import not in LAZY_IMPORTS: "
                       f"{i.importer}:{i.line} imports {i.imported}")
        else:
            used.add(entry)
    out += [f"LAZY_IMPORTS lists what no import does: {e.importer} -> {e.imported}"
            for e in lazy if e not in used]
    return out


def test_archgen_keeps_its_layering() -> None:
    assert problems(real_sources()) == []


# A small sound module set: each planted case below adds one breach to it.
SOUND = {
    "archgen.model.catalog": "from archgen.errors import UsageError\n",
    "archgen.errors": "import re\ndef f():\n    import json\n",
    "archgen.generators.gateway": "from archgen.model.catalog import Gateway\n",
    "archgen.runtime.plan": "from archgen.model.catalog import Gateway\n",
    "archgen.commands.up": (
        "from archgen.commands.style import CatalogArg\n"
        "def up():\n    from archgen.runtime.plan import build\n"),
    "archgen.commands.style": "import typer\n",
    "archgen.pipeline": (
        "from archgen.runtime.plan import build\n"
        "from archgen.generators.gateway import envoy\n"),
}
SOUND_LAZY = (Lazy("archgen.commands", "*", "cold start"), Lazy("archgen.errors", "*", "x"))


@pytest.mark.parametrize(("planted", "expected"), [
    ({"archgen.errors": "def f():\n    from archgen.pipeline import run\n"},
     "package cycle: archgen.errors <-> archgen.generators <-> archgen.model <-> "
     "archgen.pipeline <-> archgen.runtime"),
    ({"archgen.runtime.plan": "def f():\n    from archgen.pipeline import run\n"},
     "package cycle: archgen.pipeline <-> archgen.runtime"),
    ({"archgen.commands.token": "def token():\n    from archgen.commands.up import up\n"},
     "a command imports another command: archgen.commands.token:2 imports archgen.commands.up"),
    ({"archgen.runtime.gateway": "from archgen.generators.gateway import envoy\n"},
     "the runtime imports a generator: archgen.runtime.gateway:1 imports "
     "archgen.generators.gateway"),
    ({"archgen.model.names": "from archgen.runtime.plan import build\n"},
     "the model imports above it: archgen.model.names:1 imports archgen.runtime.plan"),
    ({"archgen.runtime.parts": "def start():\n    import httpx\n"},
     "a function-level import not in LAZY_IMPORTS: archgen.runtime.parts:2 imports httpx"),
])
def test_a_planted_breach_is_found(planted: dict[str, str], expected: str) -> None:
    assert problems(SOUND, SOUND_LAZY) == []
    assert expected in problems({**SOUND, **planted}, SOUND_LAZY)


def test_an_import_under_type_checking_is_no_dependency() -> None:
    planted = {"archgen.model.names": ("from typing import TYPE_CHECKING\n"
                                       "if TYPE_CHECKING:\n    from archgen.pipeline import x\n")}
    assert problems({**SOUND, **planted}, SOUND_LAZY) == []


def test_a_stale_lazy_entry_is_found() -> None:
    stale = Lazy("archgen.runtime", "httpx", "gone")
    assert problems(SOUND, (*SOUND_LAZY, stale)) == [
        "LAZY_IMPORTS lists what no import does: archgen.runtime -> httpx"]
