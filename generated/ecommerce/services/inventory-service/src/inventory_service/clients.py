"""Clients of the services inventory-service calls: typed calls on the kit's client.

The kit's UpstreamClient gives each call its timeout, retries and circuit breaker.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from datetime import date, datetime  # noqa: F401  (the callees' models may use them)
from typing import Annotated, Any, Literal  # noqa: F401
from uuid import UUID  # noqa: F401

from archgen_service_kit import clients as kit
from archgen_service_kit.clients import expand_path  # noqa: F401
from pydantic import Field, StrictBool, StrictInt  # noqa: F401

from .models import Model  # noqa: F401

CALLER = "inventory-service"  # sent in CALLER_HEADER: the callee counts its callers


class UpstreamClient(kit.UpstreamClient):
    """The kit's client, naming inventory-service in every call it makes."""

    caller = CALLER


def upstream_clients(settings: Any) -> dict[str, kit.UpstreamClient]:
    return {}
