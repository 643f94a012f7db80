"""The default behaviour: endpoints and reactions as the catalog describes them.

A team replaces any of them with a handler in its service's handlers.py, registered
on the service's handlers_api.py (see those files). Each takes the service's ServiceSpec.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from pydantic import BaseModel

from . import events, flow, idempotency, paging
from .spec import Condition, ServiceSpec, wire_names
from .storage import Conflict, Record, Stale, stored_text

# Times an update runs when the instance keeps changing under it (stores checked at commit).
UPDATE_ATTEMPTS = 50

# An event to emit: its name, or (name, condition on the result) as the catalog's `emits`.
Emits = tuple[str | tuple[str, Condition], ...]


class NotFound(Exception):
    """No instance under this key: answered as a 404 problem."""


def _fill(spec: ServiceSpec, model: str, data: Record) -> Record:
    out = {k: events.fill_value(v) for k, v in spec.stored[model].fill.items()}
    out.update({k: v for k, v in data.items() if v is not None})
    return spec.stored[model].model.model_validate(out).model_dump(mode="json", exclude_none=True)


async def _emit(
    spec: ServiceSpec,
    unit: Any,
    emits: Emits,
    model: str,
    record: Record,
    trigger: Record | None = None,
) -> None:
    """Emit each event whose condition holds on the result (then on the trigger's payload)."""
    seen = {**(trigger or {}), **record}
    for entry in emits:
        event, when = (entry, {}) if isinstance(entry, str) else entry
        if flow.holds(when, seen):
            await unit.emit(
                events.message(spec, event, events.payload_for(spec, event, model, record, trigger))
            )


async def create(
    spec: ServiceSpec,
    store: Any,
    model: str,
    body: BaseModel | None,
    emits: Emits,
    cause: str = "",
    idempotency_key: str = "",
) -> Record:
    """Create an instance and emit its events; under an `idempotency_key` (idempotency.py)
    seen before, the first result instead."""
    fields = wire_names(spec.stored[model].model)
    data = {k: v for k, v in (body.model_dump(mode="json") if body else {}).items() if k in fields}
    record = _fill(spec, model, data)
    flow.check(spec, model, None, record, cause)
    async with store.unit() as unit:
        if idempotency_key:
            first = await unit.remember(
                f"{cause} {idempotency_key}", idempotency.fingerprint(data), record
            )
            if first is not None:
                return dict(first)
        await unit.add(model, stored_text(record[spec.stored[model].key]), record)
        await _emit(spec, unit, emits, model, record)
    return record


async def read(store: Any, model: str, key: Any) -> Record:
    async with store.unit(read_only=True) as unit:
        record = await unit.get(model, stored_text(key))
    if record is None:
        raise NotFound(f"no {model} {key}")
    return dict(record)


async def update(
    spec: ServiceSpec,
    store: Any,
    model: str,
    key: Any,
    body: BaseModel | None,
    emits: Emits,
    upsert: bool = False,
    cause: str = "",
) -> Record:
    """Read, merge the body's fields, write. The instance is locked for the unit (a row lock),
    or, in stores without one, checked at commit and the update run again if it changed."""
    for attempt in range(1, UPDATE_ATTEMPTS):
        try:
            return await _update(spec, store, model, key, body, emits, upsert, cause)
        except Stale:
            # Jittered, so that updates that collided do not collide again at once.
            await asyncio.sleep(random.uniform(0, min(0.05, 0.002 * attempt)))
    try:
        return await _update(spec, store, model, key, body, emits, upsert, cause)
    except Stale as exc:
        raise Conflict(f"{model} {key} changed while it was updated; try again") from exc


async def _update(
    spec: ServiceSpec,
    store: Any,
    model: str,
    key: Any,
    body: BaseModel | None,
    emits: Emits,
    upsert: bool,
    cause: str,
) -> Record:
    changes = body.model_dump(mode="json", exclude_unset=True) if body else {}
    async with store.unit() as unit:
        # Locked until the unit ends: concurrent updates of one instance run one after the
        # other, each on the state the previous one left (none is lost).
        current = await unit.get(model, stored_text(key), lock=True)
        if current is None and not upsert:
            raise NotFound(f"no {model} {key}")
        fields = wire_names(spec.stored[model].model)
        merged = {**(current or {}), **{k: v for k, v in changes.items() if k in fields}}
        key_field = spec.stored[model].key
        merged[key_field] = merged.get(key_field, key)
        if upsert:
            merged[key_field] = stored_text(key)
        record = _fill(spec, model, merged)
        flow.check(spec, model, current, record, cause)
        await unit.put(model, stored_text(key), record)
        await _emit(spec, unit, emits, model, record)
    return record


async def list_by(store: Any, model: str, name: str | None, value: Any) -> list[Record]:
    """Every instance whose field `name` holds `value` (all without a name), by key: for a
    team's own code; the list endpoints answer pages (list_page)."""
    async with store.unit(read_only=True) as unit:
        found: list[Record] = await unit.list_by(
            model, name, None if value is None else stored_text(value)
        )
    return found


async def list_page(
    spec: ServiceSpec,
    store: Any,
    model: str,
    name: str | None,
    value: Any,
    limit: int,
    cursor: str | None,
) -> tuple[list[Record], str | None]:
    """One page of list_by's instances (paging.read_page) and the cursor of the next."""
    async with store.unit(read_only=True) as unit:
        return await paging.read_page(
            unit,
            model,
            spec.stored[model].key,
            name,
            None if value is None else stored_text(value),
            limit,
            cursor,
        )


async def react(spec: ServiceSpec, unit: Any, event: str, payload: Record) -> None:
    """Apply the catalog's reaction to `event` in `unit` (no reaction, or its `when` does not
    hold on the payload: nothing to change). An illegal transition raises
    flow.IllegalTransition, which the consumer sends to the dead-letter topic at once."""
    reaction = spec.reactions.get(event)
    if reaction is None or not flow.holds(reaction.when, payload):
        return
    model = reaction.model
    values = {f: payload.get(src) for f, src in reaction.copy.items()}
    values.update(reaction.set)
    if reaction.kind == "create":
        record = _fill(spec, model, values)
        flow.check(spec, model, None, record, event)
    else:
        found = await _matching(spec, unit, model, reaction.match, payload)
        if found is None:
            raise NotFound(f"no {model} matches {event}")
        record = _fill(spec, model, {**found, **values})
        flow.check(spec, model, found, record, event)
    key = stored_text(record[spec.stored[model].key])
    await unit.put(model, key, record)
    await _emit(spec, unit, reaction.emits, model, record, payload)
    deadline = spec.deadlines.get(event)
    if deadline is not None:  # in the same unit: the timer exists if and only if the change
        state = None if deadline.field is None else record.get(deadline.field)
        await unit.set_timer(
            model,
            key,
            deadline.field,
            None if state is None else str(state),
            deadline.event,
            time.time() + deadline.within_s,
        )


async def _matching(
    spec: ServiceSpec, unit: Any, model: str, match: dict[str, str], payload: Record
) -> Record | None:
    key = spec.stored[model].key
    if key in match:
        found = await unit.get(model, str(payload.get(match[key])), lock=True)
        candidates = [found] if found is not None else []
    else:
        first = next(iter(match))
        candidates = await unit.list_by(model, first, str(payload.get(match[first])))
    for record in candidates:
        if all(str(record.get(f)) == str(payload.get(s)) for f, s in match.items()):
            return dict(record)
    return None
