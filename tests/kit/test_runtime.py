"""The service kit's runtime, driven directly with a service definition built here.

Two services live in this one process, as two generated services would in a test
run: nothing of one leaks into the other (the kit keeps no module-level state of a
service). The memory store stands in for the real ones, which tests/services runs
on PostgreSQL, Valkey and mongomock. The consumer's commits are counted against a
stand-in consumer (exact offsets) and once against a real tansu (requests on the wire).
"""

from __future__ import annotations

import asyncio
import json
import time
import types
import warnings
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from fastapi import APIRouter
from pydantic import BaseModel

with warnings.catch_warnings():
    # Starlette's test client asks for httpx2, which is not installed here; it runs on httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient


class Order(BaseModel):
    id: str
    status: str = "new"
    total: float = 0


class OrderEvent(BaseModel):
    order_id: str
    status: str


@dataclass
class Settings:
    """What the kit reads of a service's settings (its Settings protocol)."""

    service_name: str = "order-service"
    log_level: str = "WARNING"
    otel_exporter_otlp_endpoint: str = ""
    store_pool_size: int = 5
    store_pool_timeout_s: float = 1.0
    max_in_flight: int = 64
    admission_target_ms: float = 100.0
    kafka_bootstrap_servers: str = ""
    kafka_consumer_group: str = "order-service"
    kafka_session_timeout_ms: int = 10000
    kafka_heartbeat_interval_ms: int = 3000
    kafka_rebalance_timeout_ms: int = 10000
    kafka_fetch_max_wait_ms: int = 500
    kafka_commit_interval_ms: int = 1000
    database: str = "memory://"

    def store_url(self) -> str:
        return self.database

    def missing(self) -> list[str]:
        return [] if self.database else ["DATABASE_URL"]


def _spec(kit: Any, name: str, machines: bool) -> Any:
    spec = kit.spec
    return spec.ServiceSpec(
        name=name, source=f"/shop/{name}",
        stored={"Order": spec.Stored(Order, "id", ("status",), {"id": "@uuid"})},
        publishes={"order.paid": spec.EventSpec(OrderEvent, "orders", "order_id", None, {})},
        consumes={"payment.done": spec.EventSpec(OrderEvent, "payments", "order_id",
                                                 "payments.dlq", {})},
        reactions={"payment.done": spec.ReactionSpec(
            "update", "Order", {"id": "order_id"}, {}, {"status": "paid"},
            (("order.paid", {}),), {})},
        machines={"Order": {"status": spec.Machine("new", ("paid",), {"new": {"paid": ()}})}}
        if machines else {},
        retry_attempts=2, retry_base_ms=0,
        probes=spec.Probes("/live", "/ready", "/prometheus"))


@pytest.fixture(scope="module")
def kit(kit_src: Path) -> Any:
    import archgen_service_kit.app
    import archgen_service_kit.consumer
    import archgen_service_kit.contract
    import archgen_service_kit.defaults
    import archgen_service_kit.flow
    import archgen_service_kit.observability
    import archgen_service_kit.spec
    import archgen_service_kit.stores.memory
    import archgen_service_kit.stores.relational

    return archgen_service_kit


def test_a_handler_is_found_once_by_name_and_two_for_one_name_are_refused(kit: Any) -> None:
    """The registry resolves registered handlers and functions named after a handler (how
    teams wrote them before); one name with two handlers is an error, not a silent pick."""
    contract = kit.contract

    async def create(*args: Any) -> dict[str, Any]:
        return {}

    async def read_order(*args: Any) -> dict[str, Any]:
        return {}

    team = types.ModuleType("handlers")
    team.read_order = create  # type: ignore[attr-defined]  # named after a handler
    team.helper = read_order  # type: ignore[attr-defined]  # any other name: not one
    registry = contract.Registry({"post_orders", "read_order"})
    registry._register("post_orders", create)
    registry._register("post_orders", create)  # the same function again: no conflict
    assert registry._resolved(team) == {"post_orders": create, "read_order": create}
    with pytest.raises(contract.HandlerConflict, match="post_orders has two handlers"):
        registry._register("post_orders", read_order)
    team.post_orders = read_order  # type: ignore[attr-defined]
    with pytest.raises(contract.HandlerConflict, match="post_orders has two handlers"):
        registry._resolved(team)


def test_a_checked_handler_answers_its_model_or_raises_naming_the_field(kit: Any) -> None:
    from pydantic import TypeAdapter

    async def answer(value: Any) -> Any:
        return value

    checked = kit.contract.checked("get_order", answer, TypeAdapter(Order))
    assert asyncio.run(checked({"id": "o1"})) == Order(id="o1")
    with pytest.raises(kit.contract.InvalidResponse) as raised:
        asyncio.run(checked({"id": "o1", "total": "many"}))
    assert raised.value.errors[0]["pointer"] == "/total"
    assert "get_order" in str(raised.value) and "total" in str(raised.value)


class Sink:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def __call__(self, messages: list[Any]) -> None:
        self.sent.extend(messages)


def test_each_service_brings_its_own_spec_to_the_same_kit(kit: Any) -> None:
    strict, loose = _spec(kit, "order-service", True), _spec(kit, "archive-service", False)
    store = kit.storage.MemoryStore()
    sink = store.sink = Sink()

    async def run() -> None:
        body = Order(id="o1", status="new")
        await kit.defaults.create(strict, store, "Order", body, ("order.paid",), "POST /orders")
        with pytest.raises(kit.flow.IllegalTransition, match=r"Order\.status cannot go"):
            await kit.defaults.create(strict, store, "Order", Order(id="o2", status="paid"),
                                      (), "POST /orders")
        # The other service has no state machine: the same change is legal there.
        await kit.defaults.create(loose, store, "Order", Order(id="o3", status="paid"),
                                  ("order.paid",), "POST /orders")

    asyncio.run(run())
    sources = [dict(m.headers)["ce_source"] for m in sink.sent]
    assert sources == [b"/shop/order-service", b"/shop/archive-service"]
    assert [m.key for m in sink.sent] == [b"o1", b"o3"]


def test_the_consumer_reacts_as_the_spec_says_or_as_the_team_handler_does(kit: Any) -> None:
    spec = _spec(kit, "order-service", True)
    store = kit.storage.MemoryStore()
    sink = store.sink = Sink()
    calls: list[dict[str, Any]] = []

    async def on_payment_done(unit: Any, payload: dict[str, Any]) -> None:
        calls.append(payload)

    metrics = kit.observability.Metrics()

    async def run() -> tuple[bool, bool, bool]:
        await kit.defaults.create(spec, store, "Order", Order(id="o1"), (), "POST /orders")
        default = kit.consumer.Consumer(None, store, None, metrics, spec, {})
        payload = {"order_id": "o1", "status": "done"}
        first = await default.apply("payment.done", "e1", payload)
        again = await default.apply("payment.done", "e1", payload)  # a redelivery
        custom = kit.consumer.Consumer(None, store, None, metrics, spec,
                                       {"payment.done": on_payment_done})
        return first, again, await custom.apply("payment.done", "e2", payload)

    assert asyncio.run(run()) == (True, False, True)
    assert store.rows[("Order", "o1")]["status"] == "paid"  # the catalog's reaction
    assert [json.loads(m.value) for m in sink.sent] == [{"order_id": "o1", "status": "paid"}]
    assert calls == [{"order_id": "o1", "status": "done"}]  # the team's, not the default


def test_the_consumer_knows_the_dead_letter_topics_of_its_spec(kit: Any) -> None:
    consumer = kit.consumer.Consumer(None, None, None, kit.observability.Metrics(),
                                     _spec(kit, "order-service", True), {})
    assert consumer.dead_letters == {"payments": "payments.dlq"}


@dataclass(frozen=True)
class Partition:
    topic: str
    partition: int


class Broker:
    """aiokafka's consumer as the kit's loop uses it: batches to hand out, commits kept.
    A stand-in, so that what is committed and when can be counted; tests/services runs
    the loop against a real broker, and the last test here counts its commits on one."""

    def __init__(self, batches: list[dict[Partition, list[Any]]], after: asyncio.Event) -> None:
        self.batches, self.after = batches, after
        self.commits: list[dict[Partition, int]] = []

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[Partition, list[Any]]:
        if self.batches:
            return self.batches.pop(0)
        self.after.set()  # all handed out
        await asyncio.sleep(timeout_ms / 1000)
        return {}

    async def commit(self, offsets: dict[Partition, int]) -> None:
        self.commits.append(dict(offsets))

    def highwater(self, tp: Partition) -> int | None:
        return None


def _payment_done(tp: Partition, offset: int, order: str) -> Any:
    return types.SimpleNamespace(
        topic=tp.topic, partition=tp.partition, offset=offset, key=order.encode(),
        value=json.dumps({"order_id": order, "status": "done"}).encode(),
        headers=[("ce_type", b"payment.done"), ("ce_id", f"{tp.partition}-{offset}".encode())])


def _consume(kit: Any, batches: list[dict[Partition, list[Any]]], interval_s: float,
             revoke_after: bool = False) -> tuple[list[dict[Partition, int]], Any]:
    """Run the consumer loop over `batches` until all are handled; then revoke (when asked)
    and stop it. What it committed, and the store."""
    spec = _spec(kit, "order-service", False)
    store = kit.storage.MemoryStore()
    store.sink = Sink()

    async def run() -> list[dict[Partition, int]]:
        for order in ("o1", "o2", "o3"):
            await kit.defaults.create(spec, store, "Order", Order(id=order), (), "POST")
        handed_out = asyncio.Event()
        broker = Broker(batches, handed_out)
        consumer = kit.consumer.Consumer(broker, store, None, kit.observability.Metrics(),
                                         spec, {}, interval_s)
        loop = asyncio.create_task(consumer.run())
        await handed_out.wait()
        if revoke_after:
            await consumer.revoked()
            assert len(broker.commits) == 1  # before the partitions go, not at the end
        consumer.stopping.set()
        await loop
        return broker.commits

    return asyncio.run(run()), store


def test_handled_offsets_are_committed_together_once_per_interval(kit: Any) -> None:
    first, second = Partition("payments", 0), Partition("payments", 1)
    batches = [{first: [_payment_done(first, 0, "o1"), _payment_done(first, 1, "o2")]},
               {second: [_payment_done(second, 0, "o3")]}]
    commits, store = _consume(kit, batches, interval_s=60)
    # Within the interval nothing is committed; stopping commits both partitions at once.
    assert commits == [{first: 2, second: 1}]
    assert {store.rows[("Order", o)]["status"] for o in ("o1", "o2", "o3")} == {"paid"}


def test_a_zero_interval_commits_after_each_round_and_revoking_commits_what_was_handled(
        kit: Any) -> None:
    first = Partition("payments", 0)
    batches = [{first: [_payment_done(first, 0, "o1")]}, {first: [_payment_done(first, 1, "o2")]}]
    assert _consume(kit, list(batches), interval_s=0) == ([{first: 1}, {first: 2}], ANY)
    commits, _ = _consume(kit, [{first: [_payment_done(first, 0, "o1")]}], interval_s=60,
                          revoke_after=True)
    assert commits == [{first: 1}]  # revoking committed it; stopping had nothing left


def _definition(kit: Any, spec: Any, store: Any, tables: Any = None) -> Any:
    router = APIRouter()

    @router.get("/orders/{key}")
    async def read(key: str) -> dict[str, Any]:
        raise kit.defaults.NotFound(f"no Order {key}")

    declared = {"openapi": "3.1.0", "info": {"title": spec.name, "version": "1"},
                "paths": {"/orders/{key}": {"get": {"operationId": "getOrder",
                                                    "responses": {"200": {}}}}}}
    return kit.app.ServiceDefinition(spec, router, declared, {}, store,
                                     lambda settings: {}, tables)


def test_the_app_serves_the_definitions_probes_routes_and_document(kit: Any) -> None:
    spec = _spec(kit, "order-service", True)
    app = kit.app.create_app(_definition(kit, spec, kit.stores.memory.BACKEND), Settings())
    with TestClient(app) as client:
        assert client.get("/live").json() == {"status": "ok"}
        assert client.get("/ready").json()["checks"] == {"store": "ok"}
        assert b"archgen_requests_by_caller" in client.get("/prometheus").content
        missing = client.get("/orders/x")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert client.get("/openapi.json").json()["paths"]["/orders/{key}"]["get"][
            "operationId"] == "getOrder"
        assert client.get("/health/live").status_code == 404  # only the spec's paths


def test_from_environment_refuses_to_start_without_a_setting(kit: Any) -> None:
    spec = _spec(kit, "order-service", True)
    with pytest.raises(SystemExit, match="order-service: cannot start: DATABASE_URL not set"):
        kit.app.from_environment(_definition(kit, spec, kit.stores.memory.BACKEND),
                                 Settings(database=""))


def test_the_relational_store_needs_the_services_tables(kit: Any) -> None:
    spec = _spec(kit, "order-service", True)
    with pytest.raises(ValueError, match="order-service: a relational store needs its tables"):
        kit.stores.relational.BACKEND.open("sqlite+aiosqlite:///x.db",
                                           kit.storage.Pool(1, 1.0), spec, None)


def test_the_memory_store_fires_a_timer_once_and_only_on_the_state_it_watched(
        kit: Any) -> None:
    """The store of the generated tests (REDIS_URL memory://) keeps the timers a reaction
    sets, as the real stores do (tests/services/test_deadlines.py runs those)."""
    store, sink = kit.storage.MemoryStore(), Sink()
    store.sink = sink

    def make(model: str, event: str, record: dict[str, Any]) -> Any:
        return (model, event, record["id"])

    async def scenario() -> list[int]:
        for key, due_in in (("late", -1.0), ("moved-on", -1.0), ("not-yet", 3600.0)):
            async with store.unit() as unit:
                await unit.put("Order", key, {"id": key, "status": "new"})
                await unit.set_timer("Order", key, "status", "new", "order.expired",
                                     time.time() + due_in)
        async with store.unit() as unit:  # the awaited event came: the timer lets go
            await unit.put("Order", "moved-on", {"id": "moved-on", "status": "paid"})
        return [await store.fire_due(make), await store.fire_due(make)]

    assert asyncio.run(scenario()) == [2, 0]  # both due ones taken out, once
    assert sink.sent == [("Order", "order.expired", "late")]
    assert [t.key for t in store.timers] == ["not-yet"]


class Reading(BaseModel):
    """Keyed by an int, looked up by a datetime: the path parameters a route hands the
    defaults come typed (int, datetime), the records hold their JSON form."""

    seq: int
    taken_at: Any = None  # a datetime, held as JSON text in the record
    value: float = 0


def test_typed_keys_and_lookups_reach_the_records_in_their_json_form(kit: Any) -> None:
    from datetime import datetime

    spec = kit.spec.ServiceSpec(
        name="meter-service", source="/shop/meter-service",
        stored={"Reading": kit.spec.Stored(Reading, "seq", ("taken_at",), {})},
        publishes={}, consumes={}, reactions={}, machines={}, retry_attempts=1,
        retry_base_ms=0, probes=kit.spec.Probes("/live", "/ready", "/prometheus"))
    store = kit.storage.MemoryStore()
    at = datetime(2026, 12, 7, 20, 15, tzinfo=UTC)

    async def run() -> tuple[Any, ...]:
        # An upsert by a key the route parsed as an int: the record keeps an int.
        made = await kit.defaults.update(spec, store, "Reading", 7,
                                         Reading(seq=7, taken_at=at, value=1.5), (),
                                         upsert=True, cause="PUT /readings/{seq}")
        fresh = await kit.defaults.update(spec, store, "Reading", 8, None, (), upsert=True,
                                          cause="PUT /readings/{seq}")
        read = await kit.defaults.read(store, "Reading", 7)
        # A list filtered by a datetime path parameter finds the record holding that instant.
        page, _ = await kit.defaults.list_page(spec, store, "Reading", "taken_at", at, 10, None)
        return made, fresh, read, page

    made, fresh, read, page = asyncio.run(run())
    assert made["seq"] == 7 and fresh["seq"] == 8  # not "8": the model's type, in JSON form
    assert read["taken_at"] == made["taken_at"]
    assert [r["seq"] for r in page] == [7]


def test_on_a_real_broker_a_run_of_events_costs_one_offset_commit(kit: Any) -> None:
    """The same loop on tansu, through a proxy that counts the requests: twelve events
    handled within the commit interval send no OffsetCommit until the consumer stops, then
    one, and the broker then holds every handled offset."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    from tests.runtime.test_idle_traffic import proxied_broker

    offset_commit = 8  # Kafka api key
    spec = _spec(kit, "order-service", False)
    store = kit.storage.MemoryStore()
    store.sink = Sink()

    async def run() -> tuple[int, int, int]:
        for order in ("o1", "o2", "o3"):
            await kit.defaults.create(spec, store, "Order", Order(id=order), (), "POST")
        async with proxied_broker() as (proxy, bootstrap):
            kafka = AIOKafkaConsumer(
                "payments", bootstrap_servers=bootstrap, group_id="commit-interval",
                enable_auto_commit=False, auto_offset_reset="earliest",
                session_timeout_ms=1000, heartbeat_interval_ms=100,
                rebalance_timeout_ms=1000, fetch_max_wait_ms=25)
            producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
            await kafka.start()
            await producer.start()
            try:
                consumer = kit.consumer.Consumer(kafka, store, None,
                                                 kit.observability.Metrics(), spec, {}, 60.0)
                loop = asyncio.create_task(consumer.run())
                for i in range(12):
                    order = ("o1", "o2", "o3")[i % 3]
                    await producer.send_and_wait(
                        "payments", json.dumps({"order_id": order, "status": "done"}).encode(),
                        key=order.encode(), headers=[("ce_type", b"payment.done"),
                                                     ("ce_id", f"e{i}".encode())])
                    await asyncio.sleep(0.05)
                deadline = time.monotonic() + 30
                while sum(consumer.handled.values()) < 12 and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                before_stop = proxy.counts[offset_commit]
                consumer.stopping.set()
                await loop
                commits = proxy.counts[offset_commit] - before_stop
                partitions = [TopicPartition("payments", p) for p in range(6)]
                committed = sum([await kafka.committed(tp) or 0 for tp in partitions])
                return before_stop, commits, committed
            finally:
                await producer.stop()
                await kafka.stop()

    assert asyncio.run(run()) == (0, 1, 12)
