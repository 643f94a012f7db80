"""Fixtures of the tests archgen generates for customer-service.

The app runs on the in-process store (or SQLite) with no broker: InMemoryBroker, a test
double, stands in for it where a test needs events in or out.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from archgen_service_kit.testing import InMemoryBroker
from fastapi import FastAPI
from fastapi.testclient import TestClient

from customer_service.app import create_app
from customer_service.settings import Settings


@pytest.fixture()
def app(tmp_path: Path) -> FastAPI:
    settings = Settings(mongodb_url="memory://", kafka_bootstrap_servers="")
    return create_app(settings)


@pytest.fixture()
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture()
def runtime(app: FastAPI, client: TestClient) -> Any:
    """The running service's parts (store, spec, handlers), once the client started it."""
    return app.state.runtime


@pytest.fixture()
def broker(runtime: Any) -> InMemoryBroker:
    double = InMemoryBroker()
    double.attach(runtime)
    return double
