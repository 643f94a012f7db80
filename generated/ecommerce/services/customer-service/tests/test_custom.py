"""The team's own tests of customer-service: created once by archgen, then yours."""

from __future__ import annotations

import inspect

from customer_service import handlers

OVERRIDABLE = {
    "post_v1_customers",
    "get_v1_customers_by_id",
}


def test_handlers_override_only_known_names() -> None:
    defined = {
        name
        for name, value in vars(handlers).items()
        if inspect.iscoroutinefunction(value) and value.__module__ == handlers.__name__
    }
    assert defined <= OVERRIDABLE, defined - OVERRIDABLE
