"""The Jinja environment of the documents: StrictUndefined, HTML autoescaped,
Markdown escaped by the `md` and `code` filters (Markdown has no autoescape)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2

from archgen.resources import data_dir

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
# Block markers only count at the start of a line and before a space (or the end).
_MD_LINE_START = re.compile(r"^([#+-]|\d+[.)])(?=\s|$)")


def md(value: object) -> str:
    """Inline Markdown text: punctuation that would start markup is backslash-escaped."""
    text = " ".join(str(value).split())  # a newline would end a table row or a list item
    text = text.replace("&", "&amp;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: "\\" + m.group(0), text)


def code(value: object) -> str:
    """An inline code span that survives any backticks and GFM table pipes in `value`."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _autoescape(name: str | None) -> bool:
    return bool(name and name.endswith((".html.jinja", ".svg.jinja")))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates") / "docs")),
        undefined=jinja2.StrictUndefined, autoescape=_autoescape,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update({"md": md, "code": code})
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
