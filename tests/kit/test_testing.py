"""The kit's test support, driven directly: the contract stub refuses what the recorded
document does not allow and answers what it records; the broker double captures sends."""

from __future__ import annotations

import asyncio
import copy
import importlib
from pathlib import Path
from typing import Any

import httpx
import pytest

UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/api/v1/things/{id}": {"get": {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string", "format": "uuid"}}],
            "responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Thing"},
                "example": {"id": UUID, "name": "a"}}}}}}},
        "/api/v1/things/count": {"get": {"responses": {"200": {"content": {
            "application/json": {"schema": {"type": "integer"}, "example": 2}}}}}},
    },
    "components": {"schemas": {"Thing": {
        "type": "object", "required": ["id", "name"],
        "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}}}}},
}


def _get(testing: Any, document: dict[str, Any], path: str) -> httpx.Response:
    stub = testing.ContractStub(document)

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=stub.transport(),
                                     base_url="http://callee") as client:
            return await client.get(path)

    return asyncio.run(call())


@pytest.fixture()
def testing(kit_src: Path) -> Any:
    return importlib.import_module("archgen_service_kit.testing")


def test_the_stub_answers_the_recorded_example(testing: Any) -> None:
    assert _get(testing, DOCUMENT, f"/api/v1/things/{UUID}").json() == {"id": UUID, "name": "a"}
    # A concrete path is matched before a templated one.
    assert _get(testing, DOCUMENT, "/api/v1/things/count").json() == 2


def test_the_stub_refuses_a_path_and_a_parameter_the_document_does_not_allow(
        testing: Any) -> None:
    with pytest.raises(testing.ContractViolation, match="is not in the callee's contract"):
        _get(testing, DOCUMENT, f"/api/v1/thing/{UUID}")
    with pytest.raises(testing.ContractViolation, match="parameter id"):
        _get(testing, DOCUMENT, "/api/v1/things/not-a-uuid")


def test_the_stub_refuses_an_example_its_schema_does_not_allow(testing: Any) -> None:
    document = copy.deepcopy(DOCUMENT)
    media = document["paths"]["/api/v1/things/{id}"]["get"]["responses"]["200"]["content"]
    del media["application/json"]["example"]["name"]
    with pytest.raises(testing.ContractViolation, match="'name' is a required property"):
        _get(testing, document, f"/api/v1/things/{UUID}")


def test_the_broker_double_keeps_what_is_sent(testing: Any) -> None:
    broker = testing.InMemoryBroker()

    async def send() -> None:
        await (await broker.send("orders", b"{}", None, [("ce_type", b"order.created")]))
        await broker.send_and_wait("orders.dlq", b"{}", None,
                                   [("ce_type", b"order.created"), ("archgen_error", b"bad")])

    asyncio.run(send())
    assert broker.events() == ["order.created"]  # a dead letter is no event
    assert [m.topic for m in broker.sent] == ["orders", "orders.dlq"]
