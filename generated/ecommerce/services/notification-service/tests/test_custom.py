"""The team's own tests of notification-service: created once by archgen, then yours."""

from __future__ import annotations

import inspect

from notification_service import handlers

OVERRIDABLE = {
    "get_v1_notifications_customer_by_customer_id",
    "on_order_created",
    "on_order_shipped",
    "on_order_cancelled",
    "on_payment_failed",
    "on_customer_registered",
}


def test_handlers_override_only_known_names() -> None:
    defined = {
        name
        for name, value in vars(handlers).items()
        if inspect.iscoroutinefunction(value) and value.__module__ == handlers.__name__
    }
    assert defined <= OVERRIDABLE, defined - OVERRIDABLE
