"""Test support of the generated tests: a broker double, records in the store, contracts.

Only tests import this module. The services' own code never does: `jsonschema` is a
dependency of their `test` extra, not of the services.
- InMemoryBroker: a test double of the Kafka broker (no broker runs in these tests). It
  feeds an event to the service's own consumer path and captures what the service
  publishes (the outbox drained through it, or the store's sink) and what it rejects.
- seed / stored / found: records put into and read from the service's store directly, for
  endpoints and reactions whose instances no endpoint creates.
- ContractStub: a callee answered from its recorded OpenAPI document (an httpx transport):
  each request is checked against the document, each answer is the document's example,
  checked against the document's response schema.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from urllib.parse import unquote

import httpx
import jsonschema

from . import events
from .clients import UpstreamClient
from .consumer import Consumer
from .storage import Record

T = TypeVar("T")


@dataclass(frozen=True)
class Delivered:
    """A message as the consumer reads it from aiokafka (a ConsumerRecord's fields)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Sent:
    """A message the service handed to the broker double."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    @property
    def event(self) -> str:
        return dict(self.headers).get("ce_type", b"").decode()

    def payload(self) -> Any:
        return json.loads(self.value)


@dataclass
class InMemoryBroker:
    """A test double of the broker: the producer and the consumer side of aiokafka, in memory.

    `deliver` runs the service's consumer path (Consumer.handle: the team's handler of
    the event or the catalog's reaction, in one unit of work, retried, then dead-lettered),
    then publishes what that unit wrote to the outbox; `sent` keeps every message."""

    sent: list[Sent] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # why the consumer gave up on each
    offset: int = 0

    # The producer side: what events.Publisher and Consumer.reject call.
    async def send(
        self,
        topic: str,
        value: bytes,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> asyncio.Future[None]:
        self.sent.append(Sent(topic, key, value, tuple(headers or ())))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    async def send_and_wait(
        self,
        topic: str,
        value: bytes,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        await self.send(topic, value, key, headers)

    def attach(self, runtime: Any) -> None:
        """Stores without an outbox publish through their sink: route it to this double."""
        if not runtime.store.has_outbox:
            runtime.store.sink = events.Publisher(self).send

    async def deliver(self, runtime: Any, event: str, payload: Record) -> None:
        """Hand `event` to the service as its consumer receives it from the broker."""
        consumed = runtime.spec.consumes[event]
        self.offset += 1
        headers = (
            ("ce_specversion", b"1.0"),
            ("ce_id", str(uuid.uuid4()).encode()),
            ("ce_type", event.encode()),
            ("content-type", b"application/json"),
        )
        message = Delivered(
            consumed.topic, 0, self.offset, None, json.dumps(payload).encode(), headers
        )
        consumer = _Consumer(
            self, runtime.store, self, runtime.metrics, runtime.spec, runtime.service.reactions
        )
        await consumer.handle(message)
        await self.drain(runtime)

    async def drain(self, runtime: Any) -> None:
        """Publish the outbox through this double, as the relay does with the broker."""
        self.attach(runtime)
        if runtime.store.has_outbox:
            while await events.publish(runtime.store, events.Publisher(self), None):
                pass

    def events(self) -> list[str]:
        """The events published (CloudEvents type), in order; dead letters are not events."""
        return [
            m.event
            for m in self.sent
            if m.event and not any(k == "archgen_error" for k, _ in m.headers)
        ]


class _Consumer(Consumer):
    """The service's consumer, telling the broker double why it gives up on a message
    (dead-lettered, or dropped where its topic has no dead-letter topic)."""

    def __init__(self, broker: InMemoryBroker, *args: Any) -> None:
        super().__init__(broker, *args)
        self.broker = broker

    async def reject(
        self, msg: Any, event: str, event_id: str, reason: str, started: float
    ) -> None:
        self.broker.rejected.append(f"{event}: {reason}")
        await super().reject(msg, event, event_id, reason, started)


async def seed(runtime: Any, model: str, key: str, record: Record) -> None:
    """Put `record` into the service's store under `key`, as a committed unit of work."""
    async with runtime.store.unit() as unit:
        await unit.put(model, key, record)


async def stored(runtime: Any, model: str, key: str) -> Record | None:
    async with runtime.store.unit(read_only=True) as unit:
        found: Record | None = await unit.get(model, key)
    return found


async def found(runtime: Any, model: str, name: str, value: Any) -> list[Record]:
    """The `model` records whose field `name` holds `value`."""
    async with runtime.store.unit(read_only=True) as unit:
        records: list[Record] = await unit.list_by(model, name, str(value))
    return records


def differences(
    expected: Mapping[str, Any], actual: Mapping[str, Any] | None
) -> dict[str, tuple[Any, Any]]:
    """Fields whose values differ: name -> (expected, actual). Decimals travel as text, so
    two numbers written differently ("10.5", "10.50") are the same value."""
    found = actual or {}
    return {
        name: (value, found.get(name))
        for name, value in expected.items()
        if not _same(value, found.get(name))
    }


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    if isinstance(a, str) and isinstance(b, str):
        try:
            return Decimal(a) == Decimal(b)
        except InvalidOperation:
            return False
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return not differences(a, b) and set(a) == set(b)
    return False


def run(portal: Any, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` on the app's event loop (a TestClient's portal), where its store lives."""
    assert portal is not None, "use the TestClient as a context manager"
    result: T = portal.call(work)
    return result


class ContractViolation(AssertionError):
    """A call the recorded contract of the callee does not allow, or answer it cannot give."""


class ContractStub:
    """The callee as its recorded OpenAPI document describes it, behind an httpx transport.

    A request must match an operation of the document (method and path template), with
    path parameters valid for their schemas; the answer is the example the document
    records for the operation's success response, which must be valid for that
    response's schema. So a caller whose client uses a path, a parameter or a field the
    document no longer has fails its tests."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.calls: list[str] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.answer)

    def use(self, client: UpstreamClient) -> None:
        """Send `client`'s calls to this stub instead of the network."""
        client.http = httpx.AsyncClient(
            base_url=str(client.http.base_url), transport=self.transport()
        )

    def answer(self, request: httpx.Request) -> httpx.Response:
        method = request.method.lower()
        path = request.url.path
        # Concrete paths before templated ones (OpenAPI: /routes/count before /routes/{id}).
        paths = sorted(self.document.get("paths", {}).items(), key=lambda p: p[0].count("{"))
        for template, item in paths:
            params = _match(template, path)
            if params is None or method not in item:
                continue
            operation = item[method]
            self._check_parameters(operation, item, params, f"{request.method} {template}")
            status, media = _success(operation, self.document)
            if "example" not in media:
                raise ContractViolation(f"{request.method} {template}: no example answer")
            self._check(
                media["example"],
                media.get("schema", {}),
                f"the recorded answer of {request.method} {template}",
            )
            self.calls.append(f"{request.method} {template}")
            return httpx.Response(status, json=media["example"])
        raise ContractViolation(f"{request.method} {path} is not in the callee's contract")

    def _check_parameters(
        self, operation: dict[str, Any], item: dict[str, Any], values: dict[str, str], where: str
    ) -> None:
        declared = {
            p["name"]: p
            for p in [*item.get("parameters", []), *operation.get("parameters", [])]
            if p.get("in") == "path"
        }
        for name, value in values.items():
            if name not in declared:
                raise ContractViolation(f"{where}: no path parameter {name}")
            self._check(
                _typed(value, declared[name].get("schema", {})),
                declared[name].get("schema", {}),
                f"{where}: parameter {name}",
            )

    def _check(self, value: Any, schema: dict[str, Any], what: str) -> None:
        # The document's components beside the schema: its `#/components/...` refs resolve.
        rooted = {**schema, "components": self.document.get("components", {})}
        validator = jsonschema.Draft202012Validator(rooted, format_checker=_FORMATS)
        problems = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
        if problems:
            raise ContractViolation(
                f"{what}: "
                + "; ".join(
                    f"{'/'.join(map(str, p.path)) or '(root)'}: {p.message}" for p in problems
                )
            )


_FORMATS = jsonschema.FormatChecker(["uuid", "date", "date-time", "email"])


def _match(template: str, path: str) -> dict[str, str] | None:
    """The path parameters when `path` is an instance of the path `template`."""
    names = re.findall(r"{([^}]+)}", template)
    pattern = "^" + re.sub(r"\\{[^}]+\\}", "([^/]+)", re.escape(template)) + "$"
    hit = re.match(pattern, path)
    if hit is None:
        return None
    return {name: unquote(value) for name, value in zip(names, hit.groups(), strict=True)}


def _typed(value: str, schema: dict[str, Any]) -> Any:
    """A path segment as the JSON value its schema describes."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    return value


def _success(operation: dict[str, Any], document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The first 2xx response of an operation: its status and JSON media type."""
    for status, response in operation.get("responses", {}).items():
        if str(status).startswith("2"):
            while "$ref" in response:
                response = _resolve(document, response["$ref"])
            return int(status), response.get("content", {}).get("application/json", {})
    raise ContractViolation(f"{operation.get('operationId')}: no success response")


def _resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    result: dict[str, Any] = node
    return result
