"""The one Jinja environment of every template family (templates/<family>/...).

StrictUndefined, trim_blocks, lstrip_blocks, keep_trailing_newline; HTML and SVG
templates autoescaped; every other target language is quoted by its own filter
(docs/architecture.md, "The output contract"). Values are computed in Python: templates only place
them, so a filter is the one way catalog text reaches an output.
"""

from __future__ import annotations

import dataclasses
import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any

import jinja2
import yaml
from markupsafe import Markup

from archgen.escaping import (
    markdown_code,
    markdown_inline,
    python_docstring,
    python_string_literal,
    unicode_allowed,
    visible,
)
from archgen.model.deployment import env_name, package_name
from archgen.resources import data_dir
from archgen.template_cache import bytecode_cache

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_K8S_INVALID = re.compile(r"[^a-z0-9-]+")


def md(value: object) -> str:
    """Inline Markdown text (archgen.escaping.markdown_inline)."""
    return markdown_inline(str(value))


def code(value: object) -> str:
    """An inline code span (archgen.escaping.markdown_code)."""
    return markdown_code(str(value))


def py_str(value: object) -> str:
    """A Python string literal of `value` (archgen.escaping.python_string_literal)."""
    return python_string_literal(str(value))


def py_doc(value: object) -> str:
    """The body of a triple-quoted docstring (archgen.escaping.python_docstring)."""
    return python_docstring(str(value))


def py_ident(value: object) -> str:
    """A Python identifier derived from a catalog name (`order-service` -> `order_service`)."""
    return package_name(str(value))


def k8s_name(value: object) -> str:
    """A DNS-1123 label (Kubernetes object names): lower case, digits, `-`, at most 63."""
    text = _K8S_INVALID.sub("-", str(value).lower()).strip("-")[:63].strip("-")
    return text or "x"


def yaml_value(value: Any) -> str:
    """`value` as one YAML flow value, through the emitter (never pasted text)."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=unicode_allowed(value),
                          width=1_000_000)
    return text.removesuffix("\n...\n").rstrip("\n")


def json_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


FILTERS: dict[str, Any] = {
    "md": md, "code": code, "py_str": py_str, "py_doc": py_doc, "py_ident": py_ident,
    "k8s_name": k8s_name,
    "env_name": env_name, "yaml": yaml_value, "json": json_value,
}


def _finalize(value: object) -> object:
    # Markup (an inlined SVG, the page's script) is archgen's own, already safe.
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def _autoescape(name: str | None) -> bool:
    return bool(name and name.endswith((".html.jinja", ".svg.jinja")))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        undefined=jinja2.StrictUndefined, autoescape=_autoescape,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        # Every {{ value }} is made `visible` before it is escaped: no control or
        # bidi character reaches an output, whatever a template forgets .
        finalize=_finalize,
        # Compiled once per template version, not once per run (template_cache.py).
        bytecode_cache=bytecode_cache())
    env.filters.update(FILTERS)
    return env


def render_inputs(template: str, *inputs: DataclassInstance) -> str:
    """Render `templates/<template>` with the fields of typed inputs as its names.

    Templates receive typed objects, never a dict: each field's value is passed as it
    is (nested dataclasses stay objects), and two inputs naming the same field is an
    error, not a silent override.
    """
    context: dict[str, Any] = {}
    for part in inputs:
        for f in dataclasses.fields(part):
            if f.name in context:
                raise ValueError(f"{template}: {f.name!r} is given by two inputs")
            context[f.name] = getattr(part, f.name)
    return environment().get_template(template).render(context)
