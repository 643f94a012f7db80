"""The dashboard of `archgen up`, on blueprints/minimal with stand-in services and the real
broker (tansu), PostgreSQL, Valkey and Envoy: each panel's JSON API, the OTLP receiver fed
by the OpenTelemetry SDK's own exporter, a dead-letter re-drive on tansu, the bounds, and
the page in Chromium."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from archgen.catalog import load_catalog
from archgen.model.deployment import deployment
from archgen.runtime.dashboard.rings import MAX_TRACES
from tests.docs.helpers import chromium
from tests.helpers import read_events
from tests.runtime.conftest import ROOT, UpProcess
from tests.runtime.standin import write_standins

pytestmark = pytest.mark.slow
PARTS = {"broker", "postgres", "search-index", "notes-service", "search-service", "gateway"}
ACTION = {"x-archgen-dashboard": "1"}


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[UpProcess, str]]:
    """One `archgen up` for the module; its dashboard's URL."""
    folder = tmp_path_factory.mktemp("dashboard")
    shutil.copy(ROOT / "blueprints" / "minimal" / "catalog.yaml", folder / "catalog.yaml")
    loaded = load_catalog(folder / "catalog.yaml")
    assert loaded.catalog is not None
    write_standins(folder / "out", deployment(loaded.catalog))
    up = UpProcess(folder)
    state = up.state()
    url = str(state["dashboard"])
    assert url.startswith("http://127.0.0.1:")
    yield up, url
    assert up.stop() == 0, up.output()


def _get(url: str, path: str, **kwargs: Any) -> Any:
    answer = httpx.get(url + path, timeout=10, **kwargs)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _until(check: Callable[[], Any], timeout_s: float = 20) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_the_start_prints_the_dashboard_and_up_json_names_it(system: tuple[UpProcess, str]
                                                             ) -> None:
    up, url = system
    assert f"dashboard at {url}" in up.output(20_000)


def test_parts_show_state_port_pid_restarts_and_usage(system: tuple[UpProcess, str]) -> None:
    up, url = system
    state = up.state()
    parts = {p["name"]: p for p in _get(url, "/api/parts")["parts"]}
    assert set(parts) == PARTS
    for name, part in parts.items():
        assert part["state"] == "ready" and part["ready"], part
        assert part["pid"] == dict(state["pids"])[name]  # type: ignore[call-overload]
        assert part["restarts"] == 0
        assert part["rss_bytes"] > 0
    assert parts["gateway"]["port"] == int(str(state["gateway"]).rsplit(":", 1)[1])
    assert parts["postgres"]["processes"] > 1  # its backends count for it
    again = {p["name"]: p for p in _get(url, "/api/parts")["parts"]}
    assert all(p["cpu_pct"] is not None for p in again.values())  # a second sample: CPU


def test_logs_of_every_part_merged_per_part_and_after_a_cursor(system: tuple[UpProcess, str]
                                                               ) -> None:
    _, url = system
    merged = _get(url, "/api/logs")
    assert {ln["part"] for ln in merged["lines"]} >= {"broker", "postgres", "notes-service"}
    assert merged["per_part"] == 1000
    broker = _get(url, "/api/logs", params={"part": "broker"})["lines"]
    assert broker and all(ln["part"] == "broker" for ln in broker)
    last = merged["lines"][-1]["seq"]
    assert all(ln["seq"] > last for ln in _get(url, "/api/logs", params={"since": last})["lines"])
    warnings = _get(url, "/api/logs", params={"level": "warning"})["lines"]
    assert all(ln["level"] in ("warning", "error", "critical") for ln in warnings)


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed")
def test_the_page_fits_its_drawing_and_says_when_a_topic_is_empty(
        system: tuple[UpProcess, str], tmp_path: Path) -> None:
    """Before any event: the messages panel says the topic has none (not a blank list); the
    drawing is scaled to its box (its viewBox, no fixed size); numbers never wrap."""
    _, url = system
    assert all(t["seen"] == 0 for t in _get(url, "/api/topics")["topics"])  # runs first
    page = _page(url, tmp_path / "profile")
    assert re.search(r'<ul id="messages"[^>]*><li class="muted">No messages on notes yet', page)
    assert 'Recent messages <span id="messages-topic" class="muted">on notes</span>' in page
    drawing = re.search(r'<div id="diagram" class="diagram fit">(<svg[^>]*>)', page)
    assert drawing is not None, page[:3000]
    assert "viewBox" in drawing[1] and not re.search(r' (width|height)="', drawing[1])
    assert page.count('<td class="num nowrap">') == 2 * len(PARTS)  # CPU and memory


def _export(url: str, trace_shape: list[tuple[str, str]]) -> str:
    """Spans of one trace from several services, sent by the OpenTelemetry SDK's OTLP/HTTP
    exporter (protobuf) to the dashboard: the trace id."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.trace import SpanKind, set_span_in_context

    providers = {}
    for service, _ in trace_shape:
        if service not in providers:
            provider = TracerProvider(resource=Resource.create({"service.name": service}))
            provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(
                endpoint=f"{url}/v1/traces")))
            providers[service] = provider
    service, name = trace_shape[0]
    root = providers[service].get_tracer("test").start_span(name, kind=SpanKind.SERVER)
    for service, name in trace_shape[1:]:
        child = providers[service].get_tracer("test").start_span(
            name, context=set_span_in_context(root), kind=SpanKind.SERVER)
        time.sleep(0.005)
        child.end()
    root.end()
    for provider in providers.values():
        provider.shutdown()
    return format(root.get_span_context().trace_id, "032x")


def test_otlp_export_shows_as_a_waterfall(system: tuple[UpProcess, str]) -> None:
    _, url = system
    trace_id = _export(url, [("gateway", "POST /api/v1/notes"),
                             ("notes-service", "POST /api/v1/notes"),
                             ("search-service", "note.created process")])
    listed = _get(url, "/api/traces")["traces"]
    mine = next(t for t in listed if t["trace_id"] == trace_id)
    assert mine["services"] == ["gateway", "notes-service", "search-service"]
    assert mine["root"] == "gateway: POST /api/v1/notes"
    trace = _get(url, f"/api/traces/{trace_id}")
    spans = trace["span_list"]
    root = spans[0]
    assert root["parent_span_id"] == ""
    assert {s["parent_span_id"] for s in spans[1:]} == {root["span_id"]}
    assert all(s["end_ns"] >= s["start_ns"] >= root["start_ns"] for s in spans)
    refused = httpx.post(f"{url}/v1/traces", content=b"\xff\x00 no",
                         headers={"content-type": "application/x-protobuf"})
    assert refused.status_code == 400 and "not an OTLP" in refused.json()["error"]


def test_traces_past_the_bound_push_out_the_oldest(system: tuple[UpProcess, str]) -> None:
    _, url = system
    from opentelemetry.exporter.otlp.proto.common._internal.trace_encoder import encode_spans
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "load"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    for i in range(10 * MAX_TRACES):
        provider.get_tracer("test").start_span(f"request {i}").end()
    body = encode_spans(memory.get_finished_spans()).SerializeToString()
    answer = httpx.post(f"{url}/v1/traces", content=body,
                        headers={"content-type": "application/x-protobuf"}, timeout=30)
    assert answer.status_code == 200
    stats = _get(url, "/api/stats")
    assert stats["traces"] == MAX_TRACES
    assert stats["spans_received"] >= 10 * MAX_TRACES
    newest = _get(url, "/api/traces")["traces"][0]
    assert newest["root"] == f"load: request {10 * MAX_TRACES - 1}"


async def _produce(broker: str, topic: str, value: bytes, headers: list[tuple[str, bytes]]
                   ) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=broker)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=b"k1", headers=headers)
    finally:
        await producer.stop()


def test_a_dead_letter_is_shown_with_its_reason_and_redriven(system: tuple[UpProcess, str]
                                                             ) -> None:
    up, url = system
    broker = str(up.state()["broker"])
    value = json.dumps({"note_id": str(uuid.uuid4()), "title": "hello"}).encode()
    asyncio.run(_produce(broker, "notes.dlq", value, [
        ("ce_type", b"note.created"), ("ce_id", b"evt-1"),
        ("archgen_error", b"handler failed: ValueError: bad title")]))

    def listed() -> Any:
        dead = _get(url, "/api/topics")["dead_letters"]
        return next((d for d in dead if d["value"] == value.decode()), None)

    dead = _until(listed)
    assert dead is not None, _get(url, "/api/topics")
    assert dead["reason"] == "handler failed: ValueError: bad title"
    assert dead["original"] == "notes"
    where = {"topic": dead["topic"], "partition": dead["partition"], "offset": dead["offset"]}
    refused = httpx.post(f"{url}/api/dlq/redrive", json=where)  # not from the page
    assert refused.status_code == 403
    answer = httpx.post(f"{url}/api/dlq/redrive", json=where, headers=ACTION, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["redriven"]["topic"] == "notes"
    [again] = read_events(broker, ["notes"], 100_000, keep=lambda m: m.value == value)
    headers = dict(again.headers)
    assert again.key == b"k1"
    assert headers["ce_id"] == b"evt-1" and "archgen_error" not in headers
    assert headers["archgen_redriven"] == f"notes.dlq/{dead['partition']}/{dead['offset']}".encode()
    topic = _until(lambda: next((t for t in _get(url, "/api/topics")["topics"]
                                 if t["name"] == "notes" and t["seen"] >= 1), None))
    assert topic is not None, _get(url, "/api/topics")
    assert any(m["value"] == value.decode() for m in topic["messages"])
    unknown = httpx.post(f"{url}/api/dlq/redrive", headers=ACTION,
                         json={"topic": "notes", "partition": 0, "offset": 0})
    assert unknown.status_code == 409 and "no dead-letter topic" in unknown.json()["error"]


async def _fall_behind(broker: str, group: str, topic: str, key: bytes, behind: int
                       ) -> tuple[int, int]:
    """Publish `behind` + 1 messages under `key`, then commit `group`'s offset on their
    partition so that it has read only the first: a consumer `behind` messages behind.
    The partition and the committed offset."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    producer = AIOKafkaProducer(bootstrap_servers=broker)
    await producer.start()
    try:
        sent = [await producer.send_and_wait(topic, b'{"note_id": "lagging"}', key=key)
                for _ in range(behind + 1)]
    finally:
        await producer.stop()
    tp = TopicPartition(topic, sent[0].partition)
    consumer = AIOKafkaConsumer(bootstrap_servers=broker, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.commit({tp: sent[0].offset + 1})
    finally:
        await consumer.stop()
    return tp.partition, sent[0].offset + 1


def test_consumer_lag_per_group_and_topic(system: tuple[UpProcess, str]) -> None:
    """search-service's group (the stand-in consumes nothing) committed 3 messages short of
    the end of one partition of `notes`: /api/lag says so, per partition and in total."""
    up, url = system
    partition, committed = asyncio.run(_fall_behind(str(up.state()["broker"]),
                                                    "search-service", "notes", b"lag-1", 3))

    def behind() -> Any:
        rows = _get(url, "/api/lag")["groups"]
        row = next((r for r in rows if (r["group"], r["topic"]) == ("search-service", "notes")),
                   None)
        mine = next((p for p in row["partitions"] if p["partition"] == partition), None) if row \
            else None
        return row if mine and mine["committed"] == committed else None

    row = _until(behind)
    assert row is not None, _get(url, "/api/lag")
    assert [r["group"] for r in _get(url, "/api/lag")["groups"]] == ["search-service"]
    assert row["members"] == 0  # nobody reads for the group now
    assert [p["partition"] for p in row["partitions"]] == [0, 1, 2]
    mine = next(p for p in row["partitions"] if p["partition"] == partition)
    assert mine == {"partition": partition, "committed": committed, "end": committed + 3,
                    "lag": 3}
    for other in (p for p in row["partitions"] if p["partition"] != partition):
        # never committed: all of it is still to read (nothing has expired: it starts at 0)
        assert other["committed"] is None and other["lag"] == other["end"]
    assert row["lag"] == sum(p["lag"] for p in row["partitions"]) >= 3
    assert row["end"] == sum(p["end"] for p in row["partitions"])
    assert row["end"] - row["committed"] == row["lag"]


def test_architecture_and_api_explorer_are_served_from_the_wheel(
        system: tuple[UpProcess, str]) -> None:
    _, url = system
    model = _get(url, "/api/architecture")
    assert set(model["services"]) == {"notes-service", "search-service"}
    svg = httpx.get(f"{url}/api/diagram.svg", timeout=60)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert model["services"]["notes-service"]["id"] in svg.text  # graphviz's node title
    spec = _get(url, "/api/openapi.json")
    assert spec["servers"][0]["url"] == "/gateway"
    assert "/api/v1/notes" in spec["paths"]
    page = httpx.get(f"{url}/explorer")
    assert "/static/swagger-ui/swagger-ui-bundle.js" in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # nothing from elsewhere
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        assert httpx.get(f"{url}/static/swagger-ui/{asset}").status_code == 200
    assert _get(url, "/api/token")["token"].count(".") == 2


def test_the_explorer_reaches_the_gateway_with_the_development_token(
        system: tuple[UpProcess, str]) -> None:
    _, url = system
    path = "/gateway/api/v1/search"
    assert httpx.get(f"{url}{path}", params={"q": "x"}).status_code == 401  # Envoy's answer
    token = _get(url, "/api/token")["token"]
    answer = httpx.get(f"{url}{path}", params={"q": "x"},
                       headers={"authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code != 401, answer.text
    posted = httpx.post(f"{url}/gateway/api/v1/notes", json={},
                        headers={"authorization": f"Bearer {token}"})
    assert posted.status_code == 403  # a change needs the page's own header


def test_a_service_restarts_from_the_dashboard(system: tuple[UpProcess, str]) -> None:
    """The page's restart of one part: that part's process is replaced, it shows restarting
    then ready, and every other part keeps its process."""
    up, url = system
    before = {p["name"]: p for p in _get(url, "/api/parts")["parts"]}
    assert before["search-service"]["restartable"] and not before["broker"]["restartable"]
    restart = f"{url}/api/parts/search-service/restart"
    assert httpx.post(restart).status_code == 403  # not from the page
    answer = httpx.post(restart, headers=ACTION, timeout=10)
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"part": "search-service", "state": "restarting"}
    states = [p["state"] for p in _get(url, "/api/parts")["parts"]
              if p["name"] == "search-service"]
    assert states == ["restarting"]
    again = httpx.post(restart, headers=ACTION, timeout=10)
    assert again.status_code == 409 and "restarting" in again.json()["error"]

    def restarted() -> Any:
        parts = {p["name"]: p for p in _get(url, "/api/parts")["parts"]}
        states.append(parts["search-service"]["state"])
        return parts if parts["search-service"]["state"] == "ready" else None

    after = _until(restarted, timeout_s=60)
    assert after is not None, states
    assert states[0] == "restarting" and states[-1] == "ready"
    assert after["search-service"]["pid"] not in (None, before["search-service"]["pid"])
    assert {n: p["pid"] for n, p in after.items() if n != "search-service"} == {
        n: p["pid"] for n, p in before.items() if n != "search-service"}
    assert httpx.get(f"{after['search-service']['url']}/health/ready").status_code == 200
    pids = dict(up.state()["pids"])  # type: ignore[call-overload]
    assert pids["search-service"] == after["search-service"]["pid"]  # up.json follows
    assert "restart asked for on the dashboard" in "\n".join(
        ln["text"] for ln in _get(url, "/api/logs", params={"part": "search-service"})["lines"])
    broker = httpx.post(f"{url}/api/parts/broker/restart", headers=ACTION)
    assert broker.status_code == 409 and "broker" in broker.json()["error"]
    unknown = httpx.post(f"{url}/api/parts/nothing/restart", headers=ACTION)
    assert unknown.status_code == 404


def test_only_local_names_are_answered(system: tuple[UpProcess, str]) -> None:
    _, url = system
    assert httpx.get(f"{url}/api/parts", headers={"host": "evil.example"}).status_code == 400
    page = httpx.get(f"{url}/")
    assert "default-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed")
def test_the_page_in_chromium(system: tuple[UpProcess, str], tmp_path: Path) -> None:
    up, url = system
    asyncio.run(_produce(str(up.state()["broker"]), "notes.dlq", b'{"note_id": "shown"}',
                         [("archgen_error", b"shown in the page")]))
    _export(url, [("gateway", "GET /api/v1/search"), ("search-service", "GET /api/v1/search")])
    asyncio.run(_fall_behind(str(up.state()["broker"]), "search-service", "notes", b"p", 2))
    _until(lambda: _get(url, "/api/topics")["dead_letters"])
    page = _page(url, tmp_path / "profile")
    assert page.count('class="badge ready"') == len(PARTS)
    assert "gateway: GET /api/v1/search" in page  # the traces' list and waterfall
    assert "shown in the page" in page and "Re-drive to notes" in page
    assert 'class="state-dot state-ready"' in page  # the drawing, lit
    assert "notes-service | " in page  # the logs
    assert page.count('class="restart"') == 2  # a restart button for each service
    assert '<tr data-lag="search-service/notes">' in page  # the group's lag, behind
    assert 'title="behind, and no consumer of the group is running"' in page
    shot = tmp_path / "dashboard.png"  # looked at by hand: run with --basetemp to keep it
    _page(url, tmp_path / "profile2", screenshot=shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(shot.read_bytes()[16:20], "big") == 1400  # the PNG's width
    assert shot.stat().st_size > 50_000
    explorer = _page(url, tmp_path / "profile3", path="/explorer")
    assert "Create a note" in explorer  # Swagger UI drew the gateway's operations
    assert "a development token is filled in" in explorer


def _page(url: str, profile: Path, screenshot: Path | None = None, path: str = "/") -> str:
    """The page's DOM after its scripts ran (or a 1400 px wide screenshot of it)."""
    import subprocess

    from tests.docs.helpers import FLAGS

    args = [chromium() or "chromium", *FLAGS, f"--user-data-dir={profile}",
            "--window-size=1400,1800", "--virtual-time-budget=8000"]
    args.append(f"--screenshot={screenshot}" if screenshot else "--dump-dom")
    proc = subprocess.run([*args, f"{url}{path}"], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_no_dashboard_turns_it_off(tmp_path: Path) -> None:
    shutil.copy(ROOT / "blueprints" / "minimal" / "catalog.yaml", tmp_path / "catalog.yaml")
    loaded = load_catalog(tmp_path / "catalog.yaml")
    assert loaded.catalog is not None
    write_standins(tmp_path / "out", deployment(loaded.catalog))
    up = UpProcess(tmp_path, "--no-dashboard")
    try:
        assert up.state()["dashboard"] is None
        assert "dashboard at" not in up.output(20_000)
    finally:
        assert up.stop() == 0


def test_generated_services_send_their_traces_and_events_show(tmp_path: Path) -> None:
    """The real generated services of blueprints/minimal (not stand-ins): a note created
    through the explorer's proxy shows as one trace that Envoy (the gateway) and the service
    exported over OTLP, and its event in the topic view."""
    shutil.copy(ROOT / "blueprints" / "minimal" / "catalog.yaml", tmp_path / "catalog.yaml")
    up = UpProcess(tmp_path)  # generates out/ first
    try:
        url = str(up.state()["dashboard"])
        token = _get(url, "/api/token")["token"]
        headers = {**ACTION, "authorization": f"Bearer {token}"}
        created = httpx.post(f"{url}/gateway/api/v1/notes", headers=headers, timeout=30,
                             json={"title": "traced", "body": "through the dashboard"})
        assert created.status_code == 201, created.text

        def posted() -> Any:  # one trace, rooted at the gateway (Envoy's own span)
            return next((t for t in _get(url, "/api/traces")["traces"]
                         if t["root"] == "gateway: POST /api/v1/notes"
                         and "notes-service" in t["services"]), None)

        trace = _until(posted)
        assert trace is not None, _get(url, "/api/traces")
        assert trace["spans"] >= 3  # Envoy's, the request's and its parts (ASGI send/receive)
        spans = _get(url, f"/api/traces/{trace['trace_id']}")["span_list"]
        gateway = next(s for s in spans if s["service"] == "gateway")
        assert gateway["parent_span_id"] == "" and gateway["kind"] == "server"
        served = next(s for s in spans if s["service"] == "notes-service"
                      and s["name"] == "POST /api/v1/notes")
        assert served["parent_span_id"] == gateway["span_id"]  # W3C context crossed Envoy
        roots = [t["root"] for t in _get(url, "/api/traces")["traces"]]
        assert not [r for r in roots if "/health/" in r]  # the probes are not traced

        def published() -> Any:
            return next((t for t in _get(url, "/api/topics")["topics"]
                         if t["name"] == "notes" and t["seen"] >= 1), None)

        topic = _until(published)
        assert topic is not None, _get(url, "/api/topics")
        assert created.json()["id"] in topic["messages"][0]["value"]

        def consumed() -> Any:  # the same trace goes on across Kafka into search-service
            spans = _get(url, f"/api/traces/{trace['trace_id']}")["span_list"]
            return next((s for s in spans if s["service"] == "search-service"
                         and s["name"] == "process notes"), None)

        assert _until(consumed) is not None, _get(url, f"/api/traces/{trace['trace_id']}")

        def caught_up() -> Any:  # search-service's own consumer read it all
            return next((r for r in _get(url, "/api/lag")["groups"]
                         if r["group"] == "search-service" and r["lag"] == 0
                         and r["committed"] is not None and r["members"]), None)

        assert _until(caught_up) is not None, _get(url, "/api/lag")
    finally:
        assert up.stop() == 0, up.output()
