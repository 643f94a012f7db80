"""The base of the clients of the services a service calls: timeout, retries, breaker.

httpx with the call's timeout, tenacity retries with exponential backoff,
purgatory's circuit breaker, trace context propagated when OpenTelemetry is on.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from . import tracing
from .callers import CALLER_HEADER


class UpstreamUnavailable(Exception):
    """The callee is down, too slow or its breaker is open: answered as a 503 problem."""


class UpstreamNotFound(Exception):
    """The callee has nothing under the key asked for (its 404): answered as a 404 problem."""


class UpstreamRefused(Exception):
    """The callee refused the call with another 4xx: answered as a 502 problem naming it."""


class UpstreamClient:
    # The calling service, sent in CALLER_HEADER (the callee counts its callers): each
    # service's clients.py subclasses this client with its name.
    caller = ""

    def __init__(
        self,
        name: str,
        base_url: str,
        timeout_s: float,
        attempts: int,
        base_ms: int,
        breakers: AsyncCircuitBreakerFactory,
        threshold: int,
        reset_s: float,
        max_backoff_s: float,
    ) -> None:
        # Every retry of this call is made here: the mesh, if any, makes one attempt.
        self.name = name
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout_s)
        self.attempts = attempts
        self.base_ms = base_ms
        self.breakers = breakers
        self.threshold = threshold
        self.reset_s = reset_s
        self.max_backoff_s = max_backoff_s

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            breaker = await self.breakers.get_breaker(
                self.name, threshold=self.threshold, ttl=self.reset_s
            )
            async with breaker:
                return await self._with_retries(method, path, **kwargs)
        except OpenedState as exc:
            raise UpstreamUnavailable(f"{self.name}: circuit open") from exc
        except (httpx.TransportError, httpx.HTTPStatusError) as exc:
            raise UpstreamUnavailable(f"{self.name}: {exc.__class__.__name__}") from exc

    async def _with_retries(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers: dict[str, str] = dict(kwargs.pop("headers", {}))
        if self.caller:
            headers.setdefault(CALLER_HEADER, self.caller)
        tracing.inject(headers)
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            reraise=True,
            wait=wait_exponential(multiplier=self.base_ms / 1000, max=self.max_backoff_s),
            retry=retry_if_exception_type((httpx.TransportError, httpx.HTTPStatusError)),
        ):
            with attempt:
                response = await self.http.request(method, path, headers=headers, **kwargs)
                if response.status_code >= 500:
                    response.raise_for_status()
                return response
        raise AssertionError("unreachable: tenacity reraises")

    async def get_json(self, path: str) -> Any:
        """The callee's JSON answer; its 4xx become errors of their own, never a body that
        fails the response model's validation."""
        return self._checked(await self.request("GET", path), path).json()

    async def get_list(self, path: str) -> list[Any]:
        """Every item of a list endpoint: its pages one after another, each answer's
        `Link: <...>; rel="next"` (the callee's paging.py) naming the next, each page a
        call of its own (timeout, retries, breaker). One page when the callee links none; a
        link to another host is refused (its calls belong to this service's breaker)."""
        items: list[Any] = []
        target: str | None = path
        asked: set[str] = set()
        while target is not None:
            if target in asked:  # a callee linking back would be followed forever
                raise UpstreamRefused(f"{self.name} linked {target} twice from GET {path}")
            asked.add(target)
            response = self._checked(await self.request("GET", target), path)
            page = response.json()
            if not isinstance(page, list):
                raise UpstreamRefused(f"{self.name} answered no list to GET {path}")
            items += page
            target = response.links.get("next", {}).get("url")
            if target is not None and not self._own(target):
                raise UpstreamRefused(
                    f"{self.name} linked {target}, off its service, from GET {path}"
                )
        return items

    def _own(self, link: str) -> bool:
        """Whether `link` stays on this client's service (same scheme, host and port)."""
        origin = self.http.base_url
        url = origin.join(link)
        return (url.scheme, url.host, url.port) == (origin.scheme, origin.host, origin.port)

    def _checked(self, response: httpx.Response, path: str) -> httpx.Response:
        if response.status_code == 404:
            raise UpstreamNotFound(f"{self.name} has no {path}")
        if response.status_code >= 400:
            raise UpstreamRefused(f"{self.name} answered {response.status_code} to GET {path}")
        return response

    async def aclose(self) -> None:
        await self.http.aclose()


def expand_path(template: str, **params: object) -> str:
    """The path with its parameters filled in, each quoted as one segment."""
    return template.format(**{k: quote(str(v), safe="") for k, v in params.items()})
