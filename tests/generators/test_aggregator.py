"""The generated aggregation service (golden `aggregator/` of the e-commerce blueprint):
clean code, and what it does against a real upstream, an unreachable one and a silent one.

The aggregation app runs in-process (httpx's ASGI transport); the calls it makes go over
real sockets to a stand-in upstream under uvicorn (tests/deploy/standin_upstream.py,
which echoes what it received), to a closed port, and to a socket that never answers.
"""

from __future__ import annotations

import asyncio
import importlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from archgen.catalog import load_catalog_text
from archgen.generators.aggregator import served_aggregations
from archgen.generators.common import GenerationError
from tests.helpers import ECOMMERCE, ROOT, serving_json
from tests.services.conftest import free_port, spawn, stop, wait_port

GOLDEN = ROOT / "generated" / "ecommerce" / "aggregator"
SUMMARY = "/api/v1/mobile/orders/{}/summary"


def test_golden_aggregator_passes_ruff() -> None:
    for args in (["check", "--quiet"], ["format", "--check", "--quiet"]):
        done = subprocess.run([sys.executable, "-m", "ruff", *args, "--no-cache", "."],
                              cwd=GOLDEN, capture_output=True, text=True, timeout=120,
                              check=False)
        assert done.returncode == 0, done.stdout


@pytest.mark.slow
def test_golden_aggregator_passes_mypy_strict(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports",
                           "--cache-dir", str(tmp_path), "--python-version", "3.11",
                           str(GOLDEN / "src" / "gateway_aggregator")],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:]


def test_an_unservable_aggregation_stops_generation() -> None:
    text = ECOMMERCE.read_text(encoding="utf-8").replace(
        "customer-service GET /api/v1/customers/{order-service.customer_id}",
        "shipping-service GET /api/v1/shipments/order/{orderId}")
    loaded = load_catalog_text(text)
    assert loaded.catalog is not None
    with pytest.raises(GenerationError, match="its route supplies no orderId"):
        served_aggregations(loaded.catalog)


def test_a_reference_to_a_later_call_stops_generation() -> None:
    order = "- order-service GET /api/v1/orders/{id}\n"
    customer = "- customer-service GET /api/v1/customers/{order-service.customer_id}\n"
    text = ECOMMERCE.read_text(encoding="utf-8")
    assert order in text and customer in text
    swapped = text.replace(order, "@@").replace(customer, order).replace("@@", customer)
    loaded = load_catalog_text(swapped)
    assert loaded.catalog is not None
    with pytest.raises(GenerationError, match="refers to order-service: no earlier call"):
        served_aggregations(loaded.catalog)


def test_a_call_that_reads_an_earlier_answer_runs_after_it() -> None:
    loaded = load_catalog_text(ECOMMERCE.read_text(encoding="utf-8"))
    assert loaded.catalog is not None
    [summary] = [a for a in served_aggregations(loaded.catalog) if a.path.endswith("summary")]
    assert [(c.key, c.wave) for c in summary.calls] == [("order-service", 0),
                                                         ("customer-service", 1)]
    [ref] = summary.calls[1].references
    assert (ref.key, ref.field) == ("order-service", "customer_id")


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("upstream") / "uvicorn.log"
    proc = spawn([sys.executable, "-m", "uvicorn", "tests.deploy.standin_upstream:app",
                  "--host", "127.0.0.1", "--port", str(port)], log, cwd=ROOT)
    try:
        wait_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.fixture
def silent() -> Iterator[str]:
    """A socket that takes connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def flaky() -> Iterator[list[str]]:
    """An HTTP server that answers 503 to its first request and 200 after; the requests'
    paths in the list it yields (base URL first)."""
    seen: list[str] = []

    def answer(path: str) -> tuple[int, Any, dict[str, str]]:
        seen.append(path)
        return (503 if len(seen) == 2 else 200), {"attempt": len(seen) - 1}, {}

    with serving_json(answer) as base:
        seen.append(base)  # first: requests come only once the test calls
        yield seen


def _get(order_url: str, customer_url: str, headers: dict[str, str],
         timeout_ms: int = 2000) -> httpx.Response:
    sys.path.insert(0, str(GOLDEN / "src"))
    try:
        app_module = importlib.import_module("gateway_aggregator.app")
        settings_module = importlib.import_module("gateway_aggregator.settings")
    finally:
        sys.path.remove(str(GOLDEN / "src"))
    settings: Any = settings_module.Settings(
        order_service_url=order_url, customer_service_url=customer_url,
        aggregation_timeout_ms=timeout_ms)
    app = app_module.create_app(settings)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://agg") as client:
            return await client.get(SUMMARY.format("o%201"), headers=headers)

    return asyncio.run(call())


def test_calls_every_route_with_the_callers_token(upstream: str) -> None:
    response = _get(upstream, upstream, {"Authorization": "Bearer t0ken"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"order-service", "customer-service"}  # openapi/gateway.yaml's keys
    # The route's {id} fills the order call's {id}, and arrives as the client sent it; the
    # customer call asks for the order's customer, read from the order's answer.
    assert body["order-service"]["path"] == "/api/v1/orders/o 1"
    assert body["customer-service"]["path"] == "/api/v1/customers/cust-o 1"
    assert body["order-service"]["authorized"] and body["customer-service"]["authorized"]
    anonymous = _get(upstream, upstream, {})
    assert anonymous.json()["order-service"]["authorized"] is False  # nothing invented


def test_an_unreachable_service_is_a_502_problem(upstream: str) -> None:
    response = _get(upstream, f"http://127.0.0.1:{free_port()}", {})
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 502 and problem["title"] == "Bad Gateway"
    assert ("customer-service GET /api/v1/customers/{order-service.customer_id} gave no answer"
            in problem["detail"])


def test_a_silent_service_costs_the_budget_then_502(upstream: str, silent: str) -> None:
    response = _get(upstream, silent, {}, timeout_ms=300)
    assert response.status_code == 502
    assert response.json()["detail"] == "its calls did not all answer within 300 ms"


def test_a_get_that_answers_5xx_is_retried_within_its_budget(upstream: str,
                                                             flaky: list[str]) -> None:
    response = _get(upstream, flaky[0], {})
    assert response.status_code == 200, response.text
    assert response.json()["customer-service"] == {"attempt": 2}  # communication.sync.retries
    assert flaky[1:] == ["/api/v1/customers/cust-o%201"] * 2


def test_an_answer_without_the_field_a_later_call_needs_is_a_502(upstream: str,
                                                                 flaky: list[str]) -> None:
    response = _get(flaky[0], upstream, {})  # the order's answer names no customer
    assert response.status_code == 502
    assert response.json()["detail"] == (
        "customer-service GET /api/v1/customers/{order-service.customer_id} needs customer_id "
        "from order-service's answer, which has none")
    assert flaky[1:] == ["/api/v1/orders/o%201"] * 2  # the customer call was never made


@pytest.fixture
def pager() -> Iterator[tuple[str, list[str], dict[str, str]]]:
    """An HTTP server answering lists in pages: `links` maps a path (query included) to the
    `Link` target of its answer; each answer is `[<path>]`. Yields its base URL, the paths
    asked and the links (which a test fills before calling)."""
    seen: list[str] = []
    links: dict[str, str] = {}

    def answer(path: str) -> tuple[int, Any, dict[str, str]]:
        seen.append(path)
        return 200, [path], {"Link": f'<{links[path]}>; rel="next"'} if path in links else {}

    with serving_json(answer) as base:
        yield base, seen, links


def test_a_list_answer_is_every_page_its_links_name(
        upstream: str, pager: tuple[str, list[str], dict[str, str]]) -> None:
    """The services answer a list 50 items at a time: the aggregation follows each page's
    `Link: <...>; rel="next"` (a path on the same service) and answers all of them."""
    base, seen, links = pager
    first = "/api/v1/customers/cust-o%201"
    links[first] = "/api/v1/customers/cust-o%201?cursor=a"
    links["/api/v1/customers/cust-o%201?cursor=a"] = "?cursor=b"  # relative to the page
    response = _get(upstream, base, {})
    assert response.status_code == 200, response.text
    assert response.json()["customer-service"] == [
        first, "/api/v1/customers/cust-o%201?cursor=a", "/api/v1/customers/cust-o%201?cursor=b"]
    assert seen == response.json()["customer-service"]


def test_a_page_that_links_back_is_a_502_not_a_loop(
        upstream: str, pager: tuple[str, list[str], dict[str, str]]) -> None:
    base, seen, links = pager
    first = "/api/v1/customers/cust-o%201"
    links[first] = f"{first}?cursor=a"
    links[f"{first}?cursor=a"] = first
    response = _get(upstream, base, {})
    assert response.status_code == 502
    assert response.json()["detail"].endswith(f"linked {first} twice")
    assert len(seen) == 2


def test_a_page_linking_to_another_host_is_a_502_and_that_host_gets_nothing(
        upstream: str, pager: tuple[str, list[str], dict[str, str]],
        flaky: list[str]) -> None:
    """The caller's Authorization goes with every page: a Link off the service (here to
    another server on this machine) is refused, not followed with the caller's token."""
    base, seen, links = pager
    first = "/api/v1/customers/cust-o%201"
    links[first] = f"{flaky[0]}/stolen"
    response = _get(upstream, base, {"Authorization": "Bearer t0ken"})
    assert response.status_code == 502
    assert response.json()["detail"].endswith(f"linked {flaky[0]}/stolen, off its service")
    assert seen == [first] and flaky[1:] == []
