"""The customer-service application: `app`, and `create_app()` for tests.

Built by the service kit (archgen_service_kit) from this service's definition.
Run: PYTHONPATH=src:../_kit/src uvicorn customer_service.app:app --host 127.0.0.1 --port $PORT
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from archgen_service_kit import app as kit
from archgen_service_kit.stores import document
from fastapi import FastAPI

from .clients import upstream_clients
from .routes import TEAM, router
from .settings import Settings
from .spec import SPEC

OPENAPI: dict[str, Any] = json.loads(
    resources.files(__package__).joinpath("openapi.json").read_text(encoding="utf-8")
)
SERVICE = kit.ServiceDefinition(
    SPEC, router, OPENAPI, TEAM.reactions(), document.BACKEND, upstream_clients
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return kit.create_app(SERVICE, settings or Settings())


_app: FastAPI | None = None


def __getattr__(name: str) -> FastAPI:
    """`app`, what uvicorn serves, made on first use: importing this module (tests do,
    with settings of their own) does not read the environment."""
    global _app
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _app is None:
        _app = kit.from_environment(SERVICE, Settings())
    return _app
