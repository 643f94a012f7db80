"""The team's own tests of inventory-service: created once by archgen, then yours."""

from __future__ import annotations

import inspect

from inventory_service import handlers

OVERRIDABLE = {
    "get_v1_inventory_by_sku",
    "get_v1_inventory_reservations_by_order_id",
    "put_v1_inventory_by_sku",
    "on_order_created",
    "on_order_cancelled",
}


def test_handlers_override_only_known_names() -> None:
    defined = {
        name
        for name, value in vars(handlers).items()
        if inspect.iscoroutinefunction(value) and value.__module__ == handlers.__name__
    }
    assert defined <= OVERRIDABLE, defined - OVERRIDABLE
