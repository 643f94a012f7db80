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


# What a reader of the repository cannot open: a tracker's issue numbers and the
# design notes that lived outside the repository before docs/ held them.
_FOREIGN = re.compile(r"\b[Ii]ssues? [0-9]+\b|ARCHITECTURE\.md|runtime-facts\.md|"
                      r"validator-design\.md|CONTRACT\.md|microservices-template\.md|"
                      r"\.\./shared|/work/shared")
_SCANNED = ("src", "templates", "blueprints", "tests", "bench", "scripts", "schema", "docs")


def test_nothing_cites_what_the_repository_does_not_hold() -> None:
    this = Path(__file__).resolve()
    found = []
    for top in _SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or path.resolve() == this or path.suffix in (".png", ".pyc"):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            found += [f"{path.relative_to(ROOT)}:{n}" for n, line in
                      enumerate(text.splitlines(), 1) if _FOREIGN.search(line)]
    for name in ("README.md", "BENCHMARKS.md", "pyproject.toml"):
        text = (ROOT / name).read_text(encoding="utf-8")
        found += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1)
                  if _FOREIGN.search(line)]
    assert found == []
