"""For a service without a data store: its state lives in the process.

Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from typing import Any

from ..spec import ServiceSpec
from ..storage import MemoryStore, Pool, StoreBackend

# Errors that mean the store cannot take a request now: none in the process.
UNAVAILABLE: tuple[type[Exception], ...] = ()


def open_store(url: str, pool: Pool, spec: ServiceSpec, tables: Any = None) -> MemoryStore:
    return MemoryStore()


BACKEND = StoreBackend(open_store, UNAVAILABLE)
