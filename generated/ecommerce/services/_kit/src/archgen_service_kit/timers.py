"""Timeouts: the poller that fires the timers reactions set (`within`, `on_timeout`).

A timer is a row of the service's own store, written in the unit of work of the
change that set it, so it survives restarts; no sleep holds it in memory. Every
replica polls; the store hands each due timer to one of them (FOR UPDATE SKIP
LOCKED) and, in the same transaction, writes the timeout event to the outbox if
the record still holds the state the reaction left, and deletes the timer.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

from . import events
from .spec import ServiceSpec
from .storage import Message, Record

log = logging.getLogger(__name__)
POLL_S = 1.0  # how late a timer may fire at most (plus the relay's delay)


def message_for(spec: ServiceSpec) -> Any:
    def make(model: str, event: str, record: Record) -> Message:
        return events.message(spec, event, events.payload_for(spec, event, model, record))

    return make


async def poll(
    store: Any, spec: ServiceSpec, stopping: asyncio.Event, every_s: float = POLL_S
) -> None:
    """Fire due timers until the service stops; a failed round is logged and retried."""
    make = message_for(spec)
    while not stopping.is_set():
        try:
            fired = await store.fire_due(make)
            if fired:
                log.info("fired %d timer(s)", fired)
                continue  # there may be more due: no wait
        except Exception:
            log.exception("firing timers failed; trying again in %.1fs", every_s)
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=every_s)
