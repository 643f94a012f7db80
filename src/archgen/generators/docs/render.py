"""The documents' templates (templates/docs/), rendered through the one Jinja environment.

HTML is autoescaped; Markdown has no autoescape, so catalog text goes through
the `md` and `code` filters (defined with the other filters in templating.py).
"""

from __future__ import annotations

from typing import Any

from archgen.templating import code, md
from archgen.templating import render as render_template

__all__ = ["code", "md", "render"]


def render(template: str, **context: Any) -> str:
    return render_template(f"docs/{template}", **context)
