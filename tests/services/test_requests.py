"""The request side of the generated services, on real parts: a full store pool, the access
log, body-size limits, text that is not valid Unicode.

The parts are the session's (conftest.py): PostgreSQL for order-service, Valkey for
inventory-service. Services that need other settings run here as their own processes.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.services.conftest import (
    SERVICE_PATH,
    System,
    create_database,
    free_port,
    spawn,
    stop,
    wait_ready,
)
from tests.services.test_flow import new_order, poll

pytestmark = pytest.mark.slow

TWO_MB = 2 * 1024 * 1024


@contextmanager
def service(system: System, name: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """One more process of a generated service, with `env` on top of a plain environment
    (development mode: no broker)."""
    port = free_port()
    full = {**os.environ, "PYTHONPATH": SERVICE_PATH, "LOG_LEVEL": "INFO", "SERVICE_NAME": name,
            "ENVIRONMENT": "development", **env}
    proc = spawn([sys.executable, "-m", "uvicorn", f"{name.replace('-', '_')}.app:app",
                  "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
                 log=log, cwd=system.out / "services" / name, env=full)
    try:
        wait_ready(f"http://127.0.0.1:{port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


async def _burst(requests: list[tuple[str, str, dict[str, object] | None]]
                 ) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        return await asyncio.gather(*(client.request(method, url, json=body)
                                      for method, url, body in requests))


def _only_shed_or_served(answers: list[httpx.Response]) -> None:
    """No 5xx but 503, and every 503 is a problem that says when to come back."""
    statuses = sorted({r.status_code for r in answers})
    assert all(s < 500 or s == 503 for s in statuses), (statuses, [
        r.text for r in answers if r.status_code >= 500 and r.status_code != 503][:3])
    for r in answers:
        if r.status_code == 503:
            assert r.headers["content-type"] == "application/problem+json", r.text
            assert int(r.headers["retry-after"]) >= 1
            assert r.json()["status"] == 503


def test_a_full_redis_pool_sheds_with_503_never_500(system: System, tmp_path: Path) -> None:
    """Valkey behind a one-connection pool that waits 10 ms, 300 requests at once."""
    env = {"REDIS_URL": system.urls["inventory-service"]["REDIS_URL"],
           "STORE_POOL_SIZE": "1", "STORE_POOL_TIMEOUT_S": "0.01"}
    with service(system, "inventory-service", env, tmp_path / "inventory.log") as base:
        sku = f"sku-{uuid.uuid4().hex[:8]}"
        level = {"sku": sku, "available": 3, "reserved": 0}
        answers = asyncio.run(_burst([("PUT", f"{base}/api/v1/inventory/{sku}", level)] * 150
                                     + [("GET", f"{base}/api/v1/inventory/{sku}", None)] * 150))
        _only_shed_or_served(answers)
        assert 503 in [r.status_code for r in answers]
        # The burst is over: the pool serves again.
        assert httpx.put(f"{base}/api/v1/inventory/{sku}", json=level, timeout=5).json() == level
        assert httpx.get(f"{base}/api/v1/inventory/{sku}", timeout=5).json() == level


def test_the_default_redis_pool_under_a_burst_answers_no_500(system: System,
                                                              tmp_path: Path) -> None:
    """More requests at once than the pool holds: they wait (redis-py's own pool of 100
    answered 500 "Too many connections" past it)."""
    env = {"REDIS_URL": system.urls["inventory-service"]["REDIS_URL"]}
    with service(system, "inventory-service", env, tmp_path / "inventory.log") as base:
        answers = asyncio.run(_burst(
            [("GET", f"{base}/api/v1/inventory/sku-{i}", None) for i in range(400)]))
        _only_shed_or_served(answers)


def test_a_full_sql_pool_sheds_with_503_never_500(system: System, postgres: Path,
                                                   tmp_path: Path) -> None:
    """PostgreSQL behind a one-connection pool that waits 20 ms, 60 orders at once."""
    env = {"DATABASE_URL": create_database(postgres, f"pool_{uuid.uuid4().hex[:8]}"),
           "STORE_POOL_SIZE": "1", "STORE_POOL_TIMEOUT_S": "0.02"}
    with service(system, "order-service", env, tmp_path / "order.log") as base:
        answers = asyncio.run(_burst([("POST", f"{base}/api/v1/orders",
                                       new_order(str(uuid.uuid4())))] * 60))
        _only_shed_or_served(answers)
        assert 503 in [r.status_code for r in answers]
        after = httpx.post(f"{base}/api/v1/orders", json=new_order(str(uuid.uuid4())), timeout=10)
        assert after.status_code == 201, after.text


def test_each_request_writes_one_access_line_with_its_route_and_request_id(
        system: System, tmp_path: Path) -> None:
    log = tmp_path / "inventory.log"
    env = {"REDIS_URL": system.urls["inventory-service"]["REDIS_URL"]}
    with service(system, "inventory-service", env, log) as base:
        answer = httpx.get(f"{base}/api/v1/inventory/sku-404", timeout=5,
                           headers={"x-request-id": "req-from-the-gateway"})
        assert answer.headers["x-request-id"] == "req-from-the-gateway"
        own = httpx.put(f"{base}/api/v1/inventory/sku-1", timeout=5,
                        json={"sku": "sku-1", "available": 1, "reserved": 0})
    lines = [json.loads(line) for line in log.read_text().splitlines()
             if line.startswith("{") and '"http_route"' in line]
    first, second = [x for x in lines if x["http_route"] == "/api/v1/inventory/{sku}"]
    assert (first["http_method"], first["http_status"], first["request_id"]) == (
        "GET", 404, "req-from-the-gateway")
    assert (second["http_method"], second["http_status"]) == ("PUT", 200)
    assert second["request_id"] == own.headers["x-request-id"] != ""
    assert all(isinstance(x["duration_ms"], float) for x in (first, second))
    assert "/api/v1/inventory/sku-404" not in first["message"]  # the template, not the path
    assert not [x for x in lines if x["http_route"] == "/health/ready"]  # probes: DEBUG only


def _chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_2_mb_body_is_refused_with_413_and_the_service_keeps_answering(
        system: System, framing: str) -> None:
    order_url = system.url("order-service")
    order = new_order(str(uuid.uuid4()))
    order["note"] = "x" * TWO_MB  # past every limit, whatever the model allows
    body = json.dumps(order).encode()
    with httpx.Client(timeout=30) as client:
        content = body if framing == "content-length" else _chunks(body)
        answer = client.post(order_url + "/api/v1/orders", content=content,
                             headers={"content-type": "application/json"})
    assert answer.status_code == 413, answer.text[:500]
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 413
    created = httpx.post(order_url + "/api/v1/orders", json=new_order(str(uuid.uuid4())),
                         timeout=10)
    assert created.status_code == 201, created.text


def test_a_body_within_the_derived_limit_passes(system: System) -> None:
    """OrderStatus is bounded (an enum and a 200-character reason): its limit comes from it."""
    order_url = system.url("order-service")
    created = httpx.post(order_url + "/api/v1/orders", json=new_order(str(uuid.uuid4())),
                         timeout=10).json()
    order = f"{order_url}/api/v1/orders/{created['id']}"
    # The flow ships the order by itself; once shipped, `shipped` again is no state move
    # (the state machine refuses every move out of a final state).
    poll(lambda: httpx.get(order, timeout=10).json()["status"] == "shipped")
    within = httpx.put(order + "/status", timeout=10, json={"status": "shipped",
                                                            "reason": "\u00e9" * 200})
    assert within.status_code == 200, within.text
    past = httpx.put(order + "/status", timeout=10, json={"status": "shipped",
                                                          "reason": "x" * 200_000})
    assert past.status_code == 413, past.text[:300]


LONE_SURROGATE = b'"\\ud800"'


def test_a_lone_surrogate_is_a_422_problem_on_postgresql(system: System) -> None:
    order = json.dumps(new_order(str(uuid.uuid4()))).encode()
    body = order.replace(b'"sku-1"', LONE_SURROGATE)
    answer = httpx.post(system.url("order-service") + "/api/v1/orders", content=body,
                        headers={"content-type": "application/json"}, timeout=10)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["pointer"] == "/body/items/0/sku"


def test_a_lone_surrogate_is_a_422_problem_on_valkey(system: System, tmp_path: Path) -> None:
    env = {"REDIS_URL": system.urls["inventory-service"]["REDIS_URL"]}
    with service(system, "inventory-service", env, tmp_path / "inventory.log") as base:
        body = b'{"sku": ' + LONE_SURROGATE + b', "available": 1, "reserved": 0}'
        answer = httpx.put(f"{base}/api/v1/inventory/x", content=body, timeout=10,
                           headers={"content-type": "application/json"})
        paired = httpx.put(f"{base}/api/v1/inventory/y", timeout=10,
                           content=b'{"sku": "\\ud83d\\ude00", "available": 1, "reserved": 0}',
                           headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["pointer"] == "/body/sku"
    assert paired.status_code == 200, paired.text  # a surrogate pair is a real character


MAPS = """\
archgen: 1
system: {name: tags}
services:
  tag-service:
    models:
      Labels: {id: uuid, counts: "dict[str, int]"}
      NewLabels: {counts: "dict[str, int]"}
    endpoints:
      POST /api/v1/labels: {summary: Create labels, request: NewLabels, response: Labels}
"""


def test_a_lone_surrogate_in_a_map_key_is_a_422_problem(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(MAPS)
    subprocess.run([sys.executable, "-m", "archgen", "generate", str(catalog), "-o",
                    str(tmp_path / "out"), "--only", "services"], check=True,
                   capture_output=True, timeout=300)
    port = free_port()
    proc = spawn([sys.executable, "-m", "uvicorn", "tag_service.app:app", "--port", str(port)],
                 log=tmp_path / "tag.log", cwd=tmp_path / "out" / "services" / "tag-service",
                 env={**os.environ, "PYTHONPATH": SERVICE_PATH, "ENVIRONMENT": "development"})
    try:
        wait_ready(f"http://127.0.0.1:{port}")
        answer = httpx.post(f"http://127.0.0.1:{port}/api/v1/labels", timeout=10,
                            content=b'{"counts": {' + LONE_SURROGATE + b': 1}}',
                            headers={"content-type": "application/json"})
    finally:
        stop(proc)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["pointer"].startswith("/body/counts/")
