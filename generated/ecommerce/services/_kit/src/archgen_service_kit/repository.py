"""The typed repository every service's `repositories.py` builds on: one stored model read
and written as its pydantic model in a unit of work of the store, so that a handler never
names a model as a string nor handles the records the store keeps.

Writes are the instance as given: the state machines' checks (`flow.check`) and the events
(`unit.emit`) are the handler's, as the kit's defaults do them.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from . import paging
from .contract import Unit
from .storage import stored_text

__all__ = ["Repository", "stored_text"]

ModelT = TypeVar("ModelT", bound=BaseModel)
KeyT = TypeVar("KeyT")


class Repository(Generic[ModelT, KeyT]):
    """The instances of one model in a unit of work, by their key field."""

    def __init__(self, unit: Unit, model: type[ModelT], name: str, key: str) -> None:
        self.unit = unit
        self._model = model
        self._name = name  # the catalog's model name, under which the store keeps it
        self._key = key  # the key field, as the record spells it (its alias)

    async def get(self, key: KeyT, *, lock: bool = False) -> ModelT | None:
        """The instance under `key`, or None; `lock`: kept from other writers until the
        unit ends (read it so before an update)."""
        found = await self.unit.get(self._name, stored_text(key), lock=lock)
        return None if found is None else self._model.model_validate(found)

    async def add(self, instance: ModelT) -> None:
        """A new instance: Conflict (a 409) when its key is taken."""
        record = instance.model_dump(mode="json", exclude_none=True, by_alias=True)
        await self.unit.add(self._name, stored_text(record[self._key]), record)

    async def update(self, instance: ModelT) -> None:
        """The instance under its key, as given (created when there is none)."""
        record = instance.model_dump(mode="json", exclude_none=True, by_alias=True)
        await self.unit.put(self._name, stored_text(record[self._key]), record)

    async def list_by(self, field: str, value: Any) -> list[ModelT]:
        """Every instance whose `field` (as the record spells it) is `value`."""
        found = await self.unit.list_by(self._name, field, stored_text(value))
        return [self._model.model_validate(record) for record in found]

    async def page(
        self, request: paging.PageRequest, field: str | None = None, value: Any = None
    ) -> paging.Page[ModelT]:
        """One page of the instances (those whose `field` is `value`, when a field is
        given) in key order, as the list endpoints page them: what a team's list handler
        answers. A cursor of another list is storage.BadCursor (a 400 problem)."""
        text = None if field is None else stored_text(value)
        records, cursor = await paging.read_page(
            self.unit, self._name, self._key, field, text, request.limit, request.cursor
        )
        return paging.Page([self._model.model_validate(r) for r in records], cursor)
