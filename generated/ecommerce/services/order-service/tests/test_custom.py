"""The team's own tests of order-service: created once by archgen, then yours."""

from __future__ import annotations

import inspect

from order_service import handlers

OVERRIDABLE = {
    "post_v1_orders",
    "get_v1_orders_by_id",
    "put_v1_orders_by_id_status",
    "get_v1_orders_customer_by_customer_id",
    "on_payment_completed",
    "on_payment_failed",
    "on_inventory_reserved",
    "on_shipment_dispatched",
}


def test_handlers_override_only_known_names() -> None:
    defined = {
        name
        for name, value in vars(handlers).items()
        if inspect.iscoroutinefunction(value) and value.__module__ == handlers.__name__
    }
    assert defined <= OVERRIDABLE, defined - OVERRIDABLE
