"""`archgen up --smoke`: drive the main flow through the gateway, then a pass/fail table.

The flow comes from the catalog (flows.py): create a resource with the POST that
emits events, follow it until its last success status (an order until
`shipped`), check that the services consuming that event show it (the customer's
notification), and check the gateway refuses a request without a token.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from archgen.runtime import flows

if TYPE_CHECKING:
    import httpx

    from archgen.model.deployment import Deployment
    from archgen.model.resolved import ResolvedCatalog
    from archgen.runtime.devkeys import DevKey
    from archgen.runtime.plan import Plan

FOLLOW_TIMEOUT_S = 60.0
POLL_S = 0.2


@dataclass
class Step:
    name: str
    passed: bool = False
    detail: str = ""
    seconds: float = 0.0  # how long the step took
    at_s: float = 0.0  # when it ended, from the command's start


@dataclass
class Smoke:
    catalog: ResolvedCatalog
    plan: Plan
    token: str
    started: float
    steps: list[Step] = field(default_factory=list)

    def base(self, service: str) -> str:
        """Through the gateway for a public service; directly otherwise."""
        public = self.catalog.services[service].public
        if self.plan.gateway is not None and public:
            return self.plan.gateway.url
        return self.plan.services[service].url

    async def step(self, name: str, body: Callable[[], Awaitable[str]]) -> bool:
        step = Step(name)
        begun = time.monotonic()
        try:
            step.detail = await body()
            step.passed = True
        except (AssertionError, TimeoutError) as exc:
            step.detail = str(exc) or type(exc).__name__
        except Exception as exc:  # an HTTP error is a failed step, not a crash of `up`
            step.detail = f"{type(exc).__name__}: {str(exc)[:150]}"
        step.seconds = time.monotonic() - begun
        step.at_s = time.monotonic() - self.started
        self.steps.append(step)
        return step.passed


def smoke_task(catalog: ResolvedCatalog, deployment: Deployment, started: float
               ) -> Callable[[Plan, DevKey], Awaitable[int]]:
    async def task(plan: Plan, key: DevKey) -> int:
        from archgen.runtime.devkeys import catalog_claims

        token = key.sign(catalog_claims(catalog, "smoke-test", None, 600))
        smoke = Smoke(catalog, plan, token, started)
        await run(smoke)
        from archgen.runtime.console import wide_console

        print_report(smoke, wide_console())
        return 0 if smoke.steps and all(s.passed for s in smoke.steps) else 1
    return task


async def run(smoke: Smoke) -> None:
    import httpx

    async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
        if smoke.plan.gateway is not None:
            await smoke.step("gateway refuses a request without a token (401)",
                             lambda: _no_token(smoke, client))
        flow = _flow_service(smoke.catalog)
        if flow is None:
            smoke.steps.append(Step("find a flow", detail="no service has a POST that creates "
                                    "a resource with a status announced by its events"))
            return
        created: dict[str, Any] = {}
        svc = smoke.catalog.services[flow]
        call = flows.create_call(svc)
        assert call is not None
        if not await smoke.step(f"{call.route} ({flow})",
                                lambda: _create(smoke, client, call, created)):
            return
        await _follow_flow(smoke, client, svc, created)


async def _follow_flow(smoke: Smoke, client: httpx.AsyncClient, svc: Any,
                       created: dict[str, Any]) -> None:
    create = flows.create_endpoint(svc)
    assert create is not None and create.response is not None
    read = flows.read_endpoint(svc, create)
    status = flows.target_status(svc, create.response.name)
    if read is None or status is None:
        return
    path = flows.fill_path(read.path, {read.path_params[0]: created.get("id", "")})
    if not await smoke.step(f"follow until status is {status!r}",
                            lambda: _until(client, f"{smoke.base(svc.name)}{path}", smoke.token,
                                           lambda body: body.get("status") == status)):
        return
    event = next((p.event for p in svc.publishes if p.event.endswith(f".{status}")), None)
    if event is None:
        return
    for call in flows.follower_reads(smoke.catalog, svc, event, created):
        url = f"{smoke.base(call.service)}{call.path}"
        await smoke.step(f"{call.service} shows it ({call.route})",
                         _poller(client, url, smoke.token))


def _poller(client: httpx.AsyncClient, url: str, token: str
            ) -> Callable[[], Awaitable[str]]:
    return lambda: _until(client, url, token, bool)


def _flow_service(catalog: ResolvedCatalog) -> str | None:
    """The service whose created resource goes furthest: a POST that emits, a status to reach."""
    for name, svc in sorted(catalog.services.items(), key=lambda kv: -len(kv[1].downstream)):
        ep = flows.create_endpoint(svc)
        if (ep is not None and ep.emits and ep.response is not None
                and flows.target_status(svc, ep.response.name)):
            return name
    return None


async def _no_token(smoke: Smoke, client: httpx.AsyncClient) -> str:
    route = next((ep for _, ep in smoke.catalog.public_endpoints() if ep.method == "GET"), None)
    assert route is not None, "no public GET endpoint"
    assert smoke.plan.gateway is not None
    url = smoke.plan.gateway.url + flows.fill_path(route.path, {})
    response = await client.get(url)
    assert response.status_code == 401, f"GET {route.path} without a token: {response.status_code}"
    return f"GET {route.path} -> 401"


async def _create(smoke: Smoke, client: httpx.AsyncClient, call: flows.Call,
                  created: dict[str, Any]) -> str:
    response = await client.post(f"{smoke.base(call.service)}{call.path}", json=call.body,
                                 headers={"Authorization": f"Bearer {smoke.token}"})
    assert response.is_success, f"{response.status_code}: {response.text[:150]}"
    body = response.json()
    assert isinstance(body, dict) and "id" in body, f"no id in the response: {response.text[:150]}"
    created.update(body)
    return f"{response.status_code}, id {body['id']}"


async def _until(client: httpx.AsyncClient, url: str, token: str,
                 good: Callable[[Any], bool]) -> str:
    deadline = time.monotonic() + FOLLOW_TIMEOUT_S
    last = ""
    while time.monotonic() < deadline:
        response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
        last = f"{response.status_code} {response.text[:120]}"
        if response.is_success and good(response.json()):
            return last
        await asyncio.sleep(POLL_S)
    raise TimeoutError(f"not after {FOLLOW_TIMEOUT_S:.0f} s; last answer {last}")


def print_report(smoke: Smoke, console: Console) -> None:
    table = Table(title="archgen up --smoke", title_justify="left")
    for column in ("step", "result", "took", "at", "detail"):
        table.add_column(column, no_wrap=column in ("result", "took", "at"))
    for step in smoke.steps:
        table.add_row(step.name, Text("pass", "green") if step.passed else Text("FAIL", "bold red"),
                      f"{step.seconds:.2f} s", f"{step.at_s:.1f} s", step.detail)
    console.print(table)
    verdict = "passed" if smoke.steps and all(s.passed for s in smoke.steps) else "failed"
    style = "bold green" if verdict == "passed" else "bold red"
    console.print(Text(f"smoke test {verdict}", style))
