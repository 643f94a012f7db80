"""The team's own tests of {{ cookiecutter.service }}: created once by archgen, then yours."""

from __future__ import annotations

import inspect

from {{ cookiecutter.package }} import handlers

OVERRIDABLE = {
{%- for name in cookiecutter.overridable.split() %}
    "{{ name }}",
{%- endfor %}
}


def test_handlers_override_only_known_names() -> None:
    defined = {name for name, value in vars(handlers).items()
               if inspect.iscoroutinefunction(value) and value.__module__ == handlers.__name__}
    assert defined <= OVERRIDABLE, defined - OVERRIDABLE
