"""The team's own tests of customer-service: created once by archgen, then yours."""

from __future__ import annotations

import inspect

from customer_service import handlers
from customer_service.handlers_api import OVERRIDABLE, implement


def test_handlers_override_only_known_names() -> None:
    """A function named like a handler replaces one only if the name is right: the names
    are the managed handlers_api.OVERRIDABLE, as the catalog has them now."""
    registered = set(implement.registered().values())
    defined = {
        name
        for name, value in vars(handlers).items()
        if inspect.iscoroutinefunction(value)
        and value.__module__ == handlers.__name__
        and value not in registered
        and not name.startswith("_")
    }
    assert defined <= OVERRIDABLE, defined - OVERRIDABLE


def test_each_endpoint_and_reaction_has_one_handler_at_most() -> None:
    implement.resolve(handlers)  # raises on a name with two handlers
