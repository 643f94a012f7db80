"""The README's quick start shows what its heading promises, in one block to copy."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from tests.helpers import ROOT

NUMBERS = {"one": 1, "two": 2, "three": 3}


def quick_start() -> tuple[str, list[str]]:
    """The quick start's heading and the fenced blocks under it (up to the next heading)."""
    tokens = MarkdownIt().parse((ROOT / "README.md").read_text(encoding="utf-8"))
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and "Quick start" in tokens[i + 1].content:
            blocks = []
            for later in tokens[i + 2:]:
                if later.type == "heading_open":
                    break
                if later.type == "fence":
                    blocks.append(later.content)
            return tokens[i + 1].content, blocks
    raise AssertionError("the README has no quick start")


def test_the_quick_start_shows_all_its_commands_in_its_first_block() -> None:
    heading, blocks = quick_start()
    promised = re.search(r"\b(one|two|three) commands?\b", heading)
    assert promised is not None, heading
    commands = [line.split("#", 1)[0].strip() for line in blocks[0].splitlines()]
    commands = [c for c in commands if c]
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    assert len(commands) == NUMBERS[promised.group(1)]
