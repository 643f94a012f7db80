"""Typed repositories of customer-service: each stored model read and written as its
model in a unit of work of the store, so a handler never names a model as a string:

    async with runtime.store.unit() as unit:
        found = await <Model>Repository(unit).get(key)  # models.<Model> | None

They are the kit's `Repository` (get, add, update, page), typed per model, with a lookup
per field the endpoints and reactions find instances by: every instance
(`list_by_<field>`) or one page of them (`page_by_<field>`, what a list handler answers).
Writes are the instance as given: the state machines' checks and the events are the
handler's, as the kit's defaults do them.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from uuid import UUID

from archgen_service_kit.contract import Unit
from archgen_service_kit.repository import Repository

from . import models


class CustomerRepository(Repository[models.Customer, UUID]):
    """Customer instances, by their key `id`."""

    def __init__(self, unit: Unit) -> None:
        super().__init__(unit, models.Customer, "Customer", "id")
