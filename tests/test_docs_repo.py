"""The repository documents itself: what docs/ names exists, and nothing points elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import ROOT

DOCS = sorted((ROOT / "docs").glob("*.md"))
_TOP = ("src/", "tests/", "templates/", "docs/", "blueprints/", "generated/", "bench/",
        "schema/", "scripts/")
# A path in backticks or after "in"/"see": `src/archgen/output.py`, `tests/rules/cases/...`
_PATH = re.compile(r"(?<![\w/.-])((?:" + "|".join(map(re.escape, _TOP)) + r")[\w./-]*[\w/])")


def _named_paths(text: str) -> set[str]:
    return {m.group(1).rstrip("/.") for m in _PATH.finditer(text)}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_file_a_design_document_names_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    named = _named_paths(text)
    assert named, f"{doc.name} names no file"
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == [], f"{doc.name} names files that do not exist: {missing}"


def test_the_design_documents_exist() -> None:
    assert {p.name for p in DOCS} >= {"architecture.md", "catalog-format.md",
                                      "runtime-notes.md"}
