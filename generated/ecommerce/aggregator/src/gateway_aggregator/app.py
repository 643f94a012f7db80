"""gateway-aggregator: the gateway's aggregation routes, `app`, and `create_app()` for tests.

Each route calls its services with the caller's Authorization header, concurrently except
where a call needs a field of an earlier answer, and answers one document with a property
per call (a list call's every page, followed through its `Link` headers), or
application/problem+json when a call fails: 404 and 422 pass through (the caller asked for
something that is not there), anything else (no answer, 5xx, the budget spent) is 502.

Run: PYTHONPATH=src uvicorn gateway_aggregator.app:app --host 127.0.0.1 --port $PORT
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.responses import JSONResponse, Response

from .settings import Settings
from .spec import AGGREGATIONS, BUDGETS, Aggregation, Call

PROBLEM = "application/problem+json"
# What a call carries on from the caller's request: its identity and its trace.
FORWARDED = ("authorization", "traceparent", "tracestate", "x-request-id")
PASSED_THROUGH = (404, 422)
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
log = logging.getLogger(__name__)
Endpoint = Callable[[Request], Awaitable[Response]]
WAVES = {aggregation: aggregation.waves() for aggregation in AGGREGATIONS}


class CallFailed(Exception):
    """A call gave no usable answer: the status the aggregation answers, and why."""

    def __init__(self, call: Call, status: int, detail: str) -> None:
        super().__init__(detail)
        self.call = call
        self.status = status
        self.detail = detail


def problem(status: int, title: str, detail: str) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


class Aggregator:
    def __init__(self, settings: Settings) -> None:
        self.budget_s = settings.aggregation_timeout_ms / 1000
        self.bases = settings.base_urls()
        self.client = httpx.AsyncClient(timeout=self.budget_s)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def serve(self, aggregation: Aggregation, request: Request) -> Response:
        params = {name: quote(str(value), safe="") for name, value in request.path_params.items()}
        headers = {h: request.headers[h] for h in FORWARDED if h in request.headers}
        answers: dict[str, Any] = {}
        failures: list[CallFailed] = []
        try:
            async with asyncio.timeout(self.budget_s):
                # A wave's calls run concurrently; a later wave reads the earlier answers.
                for wave in WAVES[aggregation]:
                    results = await asyncio.gather(
                        *(self.call(c, params, answers, headers) for c in wave),
                        return_exceptions=True,
                    )
                    for call, result in zip(wave, results, strict=True):
                        if isinstance(result, CallFailed):
                            failures.append(result)
                        elif isinstance(result, BaseException):
                            raise result
                        else:
                            answers[call.key] = result
                    if failures:
                        break
        except TimeoutError:
            detail = f"its calls did not all answer within {self.budget_s * 1000:g} ms"
            log.warning("%s: %s", aggregation.label, detail)
            return problem(502, "Bad Gateway", detail)
        if failures:
            # A call that could not answer outranks one that says "not found".
            chosen = next((f for f in failures if f.status == 502), failures[0])
            log.warning("%s: %s", aggregation.label, "; ".join(f.detail for f in failures))
            title = {404: "Not Found", 422: "Unprocessable Content"}.get(chosen.status)
            return problem(chosen.status, title or "Bad Gateway", chosen.detail)
        return JSONResponse({call.key: answers[call.key] for call in aggregation.calls})

    async def call(
        self, call: Call, params: dict[str, str], answers: dict[str, Any], headers: dict[str, str]
    ) -> Any:
        filled = dict(params)
        for ref in call.references:
            answer = answers.get(ref.key)
            value = answer.get(ref.field) if isinstance(answer, dict) else None
            if value is None or isinstance(value, (dict, list)):
                raise CallFailed(
                    call,
                    502,
                    f"{call.label} needs {ref.field} from {ref.key}'s answer, which has none",
                )
            filled[ref.placeholder] = quote(str(value), safe="")
        url = self.bases[call.service] + _fill(call.path, filled)
        response = await self.attempt(call, url, headers)
        answer = _json(call, response)
        if call.method != "GET" or not isinstance(answer, list):
            return answer
        # A list answers every page: each answer's `Link: <...>; rel="next"` names the
        # next (the services' paging), each page a call of its own within the budget.
        items: list[Any] = list(answer)
        asked = {url}
        origin = httpx.URL(self.bases[call.service])
        while (link := response.links.get("next", {}).get("url")) is not None:
            target = httpx.URL(url).join(link)
            if (target.scheme, target.host, target.port) != (
                origin.scheme,
                origin.host,
                origin.port,
            ):
                # The caller's Authorization goes with every page: never to another host.
                raise CallFailed(call, 502, f"{call.label} linked {link}, off its service")
            if str(target) in asked:  # a service linking back would be followed forever
                raise CallFailed(call, 502, f"{call.label} linked {link} twice")
            asked.add(str(target))
            response = await self.attempt(call, str(target), headers)
            page = _json(call, response)
            if not isinstance(page, list):
                raise CallFailed(call, 502, f"{call.label} answered no list on a later page")
            items += page
        return items

    async def attempt(self, call: Call, url: str, headers: dict[str, str]) -> httpx.Response:
        """One successful answer to `call` at `url`, within its service's budget."""
        budget = BUDGETS[call.service]
        # Only a GET is repeated: repeating it cannot change anything upstream.
        attempts = budget.attempts if call.method == "GET" else 1
        failure = CallFailed(call, 502, f"{call.label} was not called")
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                await asyncio.sleep(budget.backoff_s(attempt - 1))
            try:
                response = await self.client.request(
                    call.method, url, headers=headers, timeout=budget.timeout_s
                )
            except httpx.TransportError as exc:
                failure = CallFailed(call, 502, f"{call.label} gave no answer: {exc!r}")
                continue
            if response.status_code >= 500:
                failure = CallFailed(call, 502, f"{call.label} answered {response.status_code}")
                continue
            if not response.is_success:
                status = response.status_code
                raise CallFailed(
                    call,
                    status if status in PASSED_THROUGH else 502,
                    f"{call.label} answered {status}",
                )
            return response
        raise failure


class Metrics:
    """RED metrics, named as the generated services name theirs."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request duration",
            ["method", "route"],
            registry=self.registry,
        )

    async def middleware(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        path = getattr(request.scope.get("route"), "path", "unmatched")
        self.requests.labels(request.method, path, str(response.status_code)).inc()
        self.latency.labels(request.method, path).observe(time.perf_counter() - started)
        return response


def _json(call: Call, response: httpx.Response) -> Any:
    try:
        return response.json() if response.content else None
    except ValueError:
        raise CallFailed(call, 502, f"{call.label} answered no JSON") from None


def _fill(path: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], path)


def _endpoint(aggregator: Aggregator, aggregation: Aggregation) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await aggregator.serve(aggregation, request)

    return endpoint


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format=f"%(levelname)s {settings.service_name} %(message)s",
    )
    aggregator = Aggregator(settings)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await aggregator.aclose()

    app = FastAPI(title=settings.service_name, lifespan=lifespan)
    app.middleware("http")(metrics.middleware)
    for aggregation in AGGREGATIONS:
        app.add_api_route(
            aggregation.path,
            _endpoint(aggregator, aggregation),
            methods=[aggregation.method],
            include_in_schema=False,
        )

    @app.get("/health/live", include_in_schema=False)
    async def live() -> Response:
        return JSONResponse({"status": "ok"})

    # Ready as soon as it listens: the services it calls have their own probes, and one
    # of them down makes its aggregations answer 502, not this service unready.
    @app.get("/health/ready", include_in_schema=False)
    async def ready() -> Response:
        return JSONResponse({"status": "ok"})

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app


app = create_app()
