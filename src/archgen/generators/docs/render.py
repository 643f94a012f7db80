"""The documents' templates (templates/docs/), rendered through the one Jinja environment.

HTML is autoescaped; Markdown has no autoescape, so catalog text goes through
the `md` and `code` filters (defined with the other filters in templating.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from archgen.templating import code, md, render_inputs

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["code", "md", "render"]


def render(template: str, *inputs: DataclassInstance) -> str:
    """`templates/docs/<template>` with the fields of `inputs` (templating.render_inputs)."""
    return render_inputs(f"docs/{template}", *inputs)
