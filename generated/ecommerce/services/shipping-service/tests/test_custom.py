"""The team's own tests of shipping-service: created once by archgen, then yours."""

from __future__ import annotations

import inspect

from shipping_service import handlers

OVERRIDABLE = {
    "get_v1_shipments_by_id",
    "get_v1_shipments_order_by_order_id",
    "on_order_confirmed",
}


def test_handlers_override_only_known_names() -> None:
    defined = {
        name
        for name, value in vars(handlers).items()
        if inspect.iscoroutinefunction(value) and value.__module__ == handlers.__name__
    }
    assert defined <= OVERRIDABLE, defined - OVERRIDABLE
