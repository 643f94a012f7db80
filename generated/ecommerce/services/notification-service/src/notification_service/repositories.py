"""Typed repositories of notification-service: each stored model read and written as its
model in a unit of work of the store, so a handler never names a model as a string:

    async with runtime.store.unit() as unit:
        found = await <Model>Repository(unit).get(key)  # models.<Model> | None

Writes here are the instance as given: the state machines' checks (`flow.check`) and the
events (`unit.emit`) are the handler's, as the kit's defaults do them.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from datetime import date, datetime  # noqa: F401  (keys and lookups may use them)
from typing import Any, Literal  # noqa: F401
from uuid import UUID  # noqa: F401

from archgen_service_kit.contract import Unit
from pydantic_core import to_jsonable_python

from . import models


def _text(value: Any) -> str:
    """A key or a looked-up value as the store keeps it: its JSON form, as text."""
    return str(to_jsonable_python(value))


class NotificationRepository:
    """Notification instances in a unit of work: models.Notification, by their
    key `id`."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit

    async def get(self, key: UUID, *, lock: bool = False) -> models.Notification | None:
        """The instance under `key`, or None; `lock`: kept from other writers until the
        unit ends (read it so before an update)."""
        found = await self.unit.get("Notification", _text(key), lock=lock)
        return None if found is None else models.Notification.model_validate(found)

    async def add(self, instance: models.Notification) -> None:
        """A new instance: Conflict (a 409) when its key is taken."""
        record = instance.model_dump(mode="json", exclude_none=True)
        await self.unit.add("Notification", _text(record["id"]), record)

    async def update(self, instance: models.Notification) -> None:
        """The instance under its key, as given (created when there is none)."""
        record = instance.model_dump(mode="json", exclude_none=True)
        await self.unit.put("Notification", _text(record["id"]), record)

    async def list_by_customer_id(self, value: UUID) -> list[models.Notification]:
        """The instances whose field
        `customer_id` is `value`."""
        found = await self.unit.list_by("Notification", "customer_id", _text(value))
        return [models.Notification.model_validate(record) for record in found]
