"""Every command's --help: examples, named values, no Python types, allowed values listed."""

from __future__ import annotations

import re

import pytest

from archgen.cli import app
from tests.helpers import run_archgen


def _commands() -> list[list[str]]:
    import typer.main

    group = typer.main.get_command(app)
    found: list[list[str]] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", {})
        found += [[name, sub] for sub in subcommands] if subcommands else [[name]]
    return found


COMMANDS = _commands()
# typer names values by their Python type unless a metavar says otherwise.
PYTHON_TYPE = re.compile(r"<(list\[|str>|path>|int>|Path>)")


def test_every_command_is_walked() -> None:
    assert {c[0] for c in COMMANDS} >= {"validate", "init", "generate", "diagram", "docs",
                                        "schema", "rules", "rule", "export"}
    assert ["export", "backstage"] in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_has_examples_and_no_python_types(command: list[str]) -> None:
    result = run_archgen(*command, "--help")
    assert result.code == 0, result
    assert not PYTHON_TYPE.search(result.out), result.out
    examples = result.out.split("Examples:\n", 1)[1]
    lines = [line.strip() for line in examples.splitlines() if line.strip()]
    runs = [line for line in lines if line.startswith("$ archgen ")]
    assert 1 <= len(runs) <= 3 and len(lines) == 2 * len(runs), examples


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_output_flag_means_a_folder_everywhere(command: list[str]) -> None:
    out = run_archgen(*command, "--help").out
    if "--output" in out:
        assert "-o, --output DIR" in out


def test_listed_values_match_the_registries() -> None:
    from archgen.commands import diagram, generate, init
    from archgen.generators import GENERATORS
    from archgen.generators.diagrams.seq_files import FLOWS_VIEW
    from archgen.generators.diagrams.views import VIEW_KINDS
    from archgen.resources import blueprint_names

    assert list(generate.KINDS) == list(GENERATORS)
    assert list(init.BLUEPRINTS) == blueprint_names()
    assert set(diagram.VIEWS) == {*VIEW_KINDS, FLOWS_VIEW}
    assert diagram.FLOWS_VIEW == FLOWS_VIEW
    assert ("openapi, asyncapi, diagrams, docs, services, compose, gateway, aggregator, "
            "helm, mesh, observability") in _flat("generate", "--help")
    assert "ecommerce, food-delivery, minimal" in _flat("init", "--help")
    assert "png, svg, mermaid, plantuml, dot" in _flat("diagram", "--help")


def _flat(*args: str) -> str:
    """The help with its wrapping undone."""
    return " ".join(run_archgen(*args).out.split())


def test_top_level_help_promises_only_what_this_release_does() -> None:
    """Each promise of the summary is a generator kind or a command that exists."""
    from archgen.generators import GENERATORS

    out = " ".join(run_archgen("--help").out.split())
    promises = {"runnable services": "services", "compose": "compose", "Helm": "helm",
                "gateway": "gateway", "mesh": "mesh", "SLO alerts": "observability",
                "diagrams": "diagrams", "architecture document": "docs",
                "OpenAPI": "openapi", "AsyncAPI": "asyncapi"}
    for words, kind in promises.items():
        assert words in out, words
        assert kind in GENERATORS, kind
    for command in ("diff", "up", "token", "loadtest", "validate"):
        assert f" {command} " in out, command
