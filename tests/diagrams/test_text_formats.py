"""Mermaid, PlantUML and DOT: deterministic, golden, and safe with hostile labels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archgen.catalog import load_catalog_text
from archgen.generators.diagrams import dot, escape, mermaid, plantuml
from archgen.generators.diagrams.generator import TEXT_FORMATS, build_views, render_files
from archgen.generators.diagrams.sequences import derive_sequences
from tests.diagrams.helpers import HOSTILE_CONTEXT, ecommerce, hostile
from tests.helpers import ECOMMERCE, ROOT

GOLDEN = ROOT / "generated" / "ecommerce" / "diagrams"
TEXT = list(TEXT_FORMATS)


def test_text_formats_match_the_committed_golden_files() -> None:
    files = render_files(build_views(ecommerce()), TEXT)
    assert len(files) == 3 * 9
    for file in files:
        golden = GOLDEN / file.path
        assert golden.read_text(encoding="utf-8") == file.content, (
            f"{file.path} differs: run `archgen generate {ECOMMERCE.relative_to(ROOT)} "
            "-o generated/ecommerce --only diagrams,docs`")


def test_text_formats_do_not_depend_on_the_order_of_the_catalog() -> None:
    text = ECOMMERCE.read_text(encoding="utf-8")
    head, _, services_and_rest = text.partition("\nservices:\n")
    body, _, rest = services_and_rest.partition("\nevent_bus:\n")
    blocks = ["  " + b for b in body.split("\n\n  ")]
    blocks[0] = blocks[0][2:]
    shuffled = head + "\nservices:\n" + "\n\n".join(reversed(blocks)) + "\n\nevent_bus:\n" + rest
    reordered = load_catalog_text(shuffled).catalog
    assert reordered is not None
    assert list(reordered.services) != list(ecommerce().services)
    one = render_files(build_views(ecommerce()), TEXT)
    two = render_files(build_views(reordered), TEXT)
    assert [(f.path, f.content) for f in one] == [(f.path, f.content) for f in two]


def test_mermaid_keeps_hostile_text_inside_labels() -> None:
    text = mermaid.render(build_views(hostile(), ["system"])[0])
    assert "click" in text  # the words are kept ...
    assert "call evil()" in text
    for line in text.splitlines():
        if "click" in line:  # ... but no quote or bracket closes the label early
            assert line.count('"') == 2, line
            assert "<script>" not in line and '"]' not in line.split('"')[1]


def test_plantuml_hostile_text_cannot_end_strings_or_the_diagram() -> None:
    text = plantuml.render(build_views(hostile(), ["system"])[0])
    assert text.count("@enduml") == 1
    assert "${x}" not in text and "</svg>" not in text
    for line in text.splitlines():
        if line.startswith(("Container(", "Rel(", "title")):
            assert line.count('"') % 2 == 0, line


def test_plantuml_escape_neutralises_creole_and_preprocessor() -> None:
    out = escape.plantuml('a--b__c **d** $x !include "q" <b>')
    for raw in ("--", "__", "**", "$", '"', "<b>"):
        assert raw not in out
    assert escape.plantuml("order-service") == "order-service"


def test_dot_with_hostile_labels_is_valid_graphviz(tmp_path: Path) -> None:
    for view in build_views(hostile()):
        source = dot.render(view)
        result = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True,
                                check=False, timeout=60)
        assert result.returncode == 0, result.stderr.decode()
        assert b"<script>" not in result.stdout


@pytest.mark.parametrize("text", [HOSTILE_CONTEXT, "a\\", 'x"y', "\n", "é 漢字"])
def test_escape_dot_never_leaves_an_unescaped_quote_or_odd_backslash(text: str) -> None:
    out = escape.dot(text)
    assert '"' not in out.replace('\\"', "")
    assert "\n" not in out
    trailing = len(out) - len(out.rstrip("\\"))
    assert trailing % 2 == 0


def test_text_formats_are_byte_identical_across_processes_and_hash_seeds(
        tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "archgen", "diagram", str(ECOMMERCE), "-o",
                        str(out), "--format", "mermaid,plantuml,dot"], env=env, check=True,
                       capture_output=True, timeout=120)
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes()
                        for p in sorted(out.rglob("*"))
                        if p.is_file() and not p.name.startswith(".")})
    flows = 2 * len(derive_sequences(ecommerce()))  # Mermaid and PlantUML of each flow
    assert outputs[0] == outputs[1] and len(outputs[0]) == 27 + flows
