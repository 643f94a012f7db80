"""The Jinja environment of the documents: StrictUndefined, HTML autoescaped,
Markdown escaped by the `md` and `code` filters (Markdown has no autoescape)."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from archgen.escaping import markdown_code, markdown_inline, visible
from archgen.resources import data_dir


def md(value: object) -> str:
    """Inline Markdown text (archgen.escaping.markdown_inline)."""
    return markdown_inline(str(value))


def code(value: object) -> str:
    """An inline code span (archgen.escaping.markdown_code)."""
    return markdown_code(str(value))


def _finalize(value: object) -> object:
    # Markup (the inlined SVG, the page's script) is archgen's own, already safe.
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def _autoescape(name: str | None) -> bool:
    return bool(name and name.endswith((".html.jinja", ".svg.jinja")))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates") / "docs")),
        undefined=jinja2.StrictUndefined, autoescape=_autoescape,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        # Every {{ value }} is made `visible` before it is escaped: no control or
        # bidi character reaches a document, whatever the template forgets.
        finalize=_finalize)
    env.filters.update({"md": md, "code": code})
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
