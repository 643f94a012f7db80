"""`archgen up --smoke`: drive the main flow through the gateway, then a pass/fail table.

The flow is the catalog's `smoke.steps` when it declares them, else the chain of
reactions a public POST sets off (flows.py): create a resource, follow each status
the chain sets on it (an order until `shipped`), then check that each service the
chain made a record in shows it (the customer's notification). Then each
compensation path: the same POST with a body that makes a declared failure event
happen (an order above the card limit), followed until the compensations undid the
steps (the order cancelled, its stock released). A gateway that asks
for a token must refuse a request without one. Where there is no flow, smoke says so
and checks what it can: every service ready, every public GET answered without 5xx.

Polling stays within the token's tier: the token carries the tier with the most room,
polls are spaced to use at most half of it, and a 429 slows the polling down (the
step says so) instead of ending it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
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
POLL_S = 0.2  # the fastest polling; slower when the tier is small
TIER_SHARE = 0.5  # polling uses at most this share of the token's tier
MAX_POLL_S = 10.0  # the slowest a run of 429s makes it
NOT_IMPLEMENTED = 501  # a generated endpoint without default behaviour: a gap, not a crash


@dataclass
class Step:
    name: str
    passed: bool = False
    detail: str = ""
    seconds: float = 0.0  # how long the step took
    at_s: float = 0.0  # when it ended, from the command's start
    skipped: bool = False  # nothing to check: shown as `n/a`, fails nothing


@dataclass
class Pace:
    """The polling interval, and the 429 answers that slowed it down."""

    interval_s: float
    limited: int = 0

    def note(self) -> str:
        return (f"; the gateway answered 429 {self.limited} time(s): polled slower, every "
                f"{self.interval_s:.1f} s" if self.limited else "")


def pace_for(catalog: ResolvedCatalog) -> Pace:
    """Polls spaced so the smoke test uses at most TIER_SHARE of the token's tier."""
    from archgen.runtime.devkeys import top_tier

    tier = top_tier(catalog)
    if tier is None:
        return Pace(POLL_S)
    return Pace(max(POLL_S, 1 / (tier[1] * TIER_SHARE)))


@dataclass
class Smoke:
    catalog: ResolvedCatalog
    plan: Plan
    token: str
    started: float
    pace: Pace = field(default_factory=lambda: Pace(POLL_S))
    steps: list[Step] = field(default_factory=list)

    def base(self, service: str) -> str:
        """Through the gateway for a public service; directly otherwise."""
        public = self.catalog.services[service].public
        if self.plan.gateway is not None and public:
            return self.plan.gateway.url
        return self.plan.services[service].url

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def passed(self) -> bool:
        checked = [s for s in self.steps if not s.skipped]
        return bool(checked) and all(s.passed for s in checked)

    def skip(self, name: str, detail: str) -> None:
        self.steps.append(Step(name, passed=True, detail=detail, skipped=True,
                               at_s=time.monotonic() - self.started))

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
        from archgen.runtime.devkeys import catalog_claims, top_tier

        tier = top_tier(catalog)
        token = key.sign(catalog_claims(catalog, "smoke-test", tier[0] if tier else None, 600))
        smoke = Smoke(catalog, plan, token, started, pace_for(catalog))
        await run(smoke)
        from archgen.runtime.console import wide_console

        print_report(smoke, wide_console())
        return 0 if smoke.passed else 1
    return task


async def run(smoke: Smoke) -> None:
    import httpx

    async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
        if smoke.plan.gateway is not None:
            await _probe(smoke, client)
        try:
            actions = flows.declared_actions(smoke.catalog)
        except flows.FlowError as exc:
            smoke.steps.append(Step("read the declared flow (smoke.steps)", detail=str(exc)))
            return
        flow = flows.derive_flow(smoke.catalog)
        if actions is None:
            actions = flows.flow_actions(smoke.catalog, flow) if flow is not None else None
        if actions is None:
            await _without_flow(smoke, client)
            return
        if not await _drive(smoke, client, actions) or flow is None:
            return
        for comp in flows.compensations(smoke.catalog, flow):
            if comp.body is None:
                smoke.skip(f"compensation path: {comp.event}", comp.why_not)
                continue
            await _drive(smoke, client, flows.compensation_actions(smoke.catalog, flow, comp))


async def _drive(smoke: Smoke, client: httpx.AsyncClient, actions: Sequence[flows.Action]
                 ) -> bool:
    """Run the steps in order with the values their answers give; False at the first that
    fails."""
    values: dict[str, Any] = {}
    for action in actions:
        if not await smoke.step(action.name, _runner(smoke, client, action, values)):
            return False
    return True


def _runner(smoke: Smoke, client: httpx.AsyncClient, action: flows.Action,
            values: dict[str, Any]) -> Callable[[], Awaitable[str]]:
    if action.kind == "call":
        return lambda: _call(smoke, client, action, values)
    return lambda: _wait(smoke, client, action, values)


async def _probe(smoke: Smoke, client: httpx.AsyncClient) -> None:
    probe = flows.token_probe(smoke.catalog)
    name = "gateway refuses a request without a token (401)"
    if probe is None:
        auth = smoke.catalog.gateway.auth if smoke.catalog.gateway else None
        smoke.skip(name, "the gateway asks for no token (gateway.auth.type: "
                         f"{auth.type if auth and auth.type else 'not set'}): nothing to refuse")
        return
    _, route = probe

    async def check() -> str:
        assert smoke.plan.gateway is not None
        response = await client.get(smoke.plan.gateway.url + flows.fill_path(route.path, {}))
        assert response.status_code == 401, (
            f"GET {route.path} without a token: {response.status_code}")
        return f"GET {route.path} -> 401"
    await smoke.step(name, check)


async def _call(smoke: Smoke, client: httpx.AsyncClient, action: flows.Action,
                values: dict[str, Any]) -> str:
    url = smoke.base(action.service) + _path(action, values)
    response = await client.request(action.method, url, json=action.body,
                                    headers=smoke.headers())
    assert response.is_success, (
        f"{action.method} {url.split('/', 3)[-1]}: {response.status_code} {response.text[:150]}")
    body = response.json() if response.content else None
    if isinstance(body, dict):
        for key, value in body.items():  # the first answer's values win: `{id}` stays its id
            values.setdefault(key, value)
        return f"{response.status_code}" + (f", id {body['id']}" if "id" in body else "")
    return str(response.status_code)


def _path(action: flows.Action, values: Mapping[str, Any]) -> str:
    try:
        return flows.fill_path(action.path, values, placeholder=None)
    except KeyError as exc:
        raise AssertionError(f"no value for {{{exc.args[0]}}}: no answer before gave one "
                             f"(values: {', '.join(sorted(values)) or 'none'})") from None


async def _wait(smoke: Smoke, client: httpx.AsyncClient, action: flows.Action,
                values: Mapping[str, Any]) -> str:
    url = smoke.base(action.service) + _path(action, values)

    def good(body: Any) -> bool:
        if not action.until:
            return bool(body)
        return isinstance(body, dict) and all(body.get(k) in accepted
                                              for k, accepted in action.until.items())
    try:
        return await _until(client, url, smoke, good) + smoke.pace.note()
    except TimeoutError as exc:
        raise TimeoutError(f"{exc}; did not happen: {action.cause}") from None


async def _get(client: httpx.AsyncClient, url: str, smoke: Smoke, deadline: float
               ) -> httpx.Response:
    """One GET; a 429 waits (its Retry-After, else twice the interval), slows the polling
    down for good and asks again, until the deadline."""
    while True:
        response = await client.get(url, headers=smoke.headers())
        if response.status_code != 429 or time.monotonic() >= deadline:
            return response
        pace = smoke.pace
        pace.limited += 1
        pace.interval_s = min(MAX_POLL_S, pace.interval_s * 2)
        retry_after = response.headers.get("retry-after", "")
        wait = float(retry_after) if retry_after.isdigit() else pace.interval_s
        await asyncio.sleep(max(0.0, min(wait, deadline - time.monotonic())))


async def _until(client: httpx.AsyncClient, url: str, smoke: Smoke,
                 good: Callable[[Any], bool]) -> str:
    deadline = time.monotonic() + FOLLOW_TIMEOUT_S
    last = "no answer"
    while time.monotonic() < deadline:
        response = await _get(client, url, smoke, deadline)
        body = _json(response)
        last = _state(response, body)
        if response.is_success and good(body):
            return last
        await asyncio.sleep(smoke.pace.interval_s)
    raise TimeoutError(f"not after {FOLLOW_TIMEOUT_S:.0f} s; last seen: {last}"
                       + smoke.pace.note())


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _state(response: httpx.Response, body: Any) -> str:
    """What an answer shows, short: the status field of a resource, else the text."""
    if response.is_success and isinstance(body, dict) and flows.STATUS in body:
        return f"{response.status_code}, status {body[flows.STATUS]!r}"
    if response.is_success and isinstance(body, list):
        return f"{response.status_code}, {len(body)} item(s)"
    return f"{response.status_code} {response.text[:120]}"


# ---------------------------------------------------------------- without a flow
async def _without_flow(smoke: Smoke, client: httpx.AsyncClient) -> None:
    smoke.skip("find the main flow",
               "none derivable (no public POST on a collection creates a resource) and none "
               "declared (`smoke.steps` in the catalog): checking health and public GETs")
    services = sorted(smoke.catalog.services)
    await smoke.step(f"every service ready ({len(services)})",
                     lambda: _all_ready(smoke, client, services))
    reads = flows.public_reads(smoke.catalog)
    if reads:
        await smoke.step(f"public GETs answer without 5xx ({len(reads)})",
                         lambda: _sweep(smoke, client, reads))


async def _all_ready(smoke: Smoke, client: httpx.AsyncClient, services: Sequence[str]) -> str:
    sick = []
    for name in services:
        response = await client.get(smoke.plan.services[name].url + "/health/ready")
        if response.status_code != 200:
            sick.append(f"{name} {response.status_code}")
    assert not sick, f"not ready: {', '.join(sick)}"
    return "/health/ready 200 from each"


async def _sweep(smoke: Smoke, client: httpx.AsyncClient,
                 reads: Sequence[tuple[Any, Any]]) -> str:
    """Each public GET once (unknown path values: a placeholder, so 404 and 422 are fine)."""
    codes: dict[int, int] = {}
    broken, gaps = [], []
    deadline = time.monotonic() + FOLLOW_TIMEOUT_S
    done = 0
    for svc, ep in reads:
        if time.monotonic() >= deadline:  # a small tier: check what fits, say what did not
            break
        done += 1
        response = await _get(client, smoke.base(svc.name) + flows.fill_path(ep.path, {}),
                              smoke, deadline)
        codes[response.status_code] = codes.get(response.status_code, 0) + 1
        if response.status_code == NOT_IMPLEMENTED:
            gaps.append(ep.route)
        elif response.status_code >= 500:
            broken.append(f"{ep.route} ({svc.name}) -> {response.status_code}")
        await asyncio.sleep(smoke.pace.interval_s)
    assert not broken, "5xx: " + "; ".join(broken[:5]) + (
        f" and {len(broken) - 5} more" if len(broken) > 5 else "")
    summary = ", ".join(f"{code} x{n}" for code, n in sorted(codes.items()))
    if done < len(reads):
        summary += (f"; {len(reads) - done} not asked within {FOLLOW_TIMEOUT_S:.0f} s at "
                    f"one every {smoke.pace.interval_s:.1f} s (the tier's pace)")
    if gaps:
        summary += (f"; 501 (no default behaviour, handlers.py): {', '.join(gaps[:3])}"
                    + (" ..." if len(gaps) > 3 else ""))
    return summary + smoke.pace.note()


def print_report(smoke: Smoke, console: Console) -> None:
    table = Table(title="archgen up --smoke", title_justify="left")
    for column in ("step", "result", "took", "at", "detail"):
        table.add_column(column, no_wrap=column in ("result", "took", "at"))
    for step in smoke.steps:
        result = (Text("n/a", "dim") if step.skipped else Text("pass", "green") if step.passed
                  else Text("FAIL", "bold red"))
        table.add_row(step.name, result, f"{step.seconds:.2f} s", f"{step.at_s:.1f} s",
                      step.detail)
    console.print(table)
    verdict = "passed" if smoke.passed else "failed"
    style = "bold green" if verdict == "passed" else "bold red"
    console.print(Text(f"smoke test {verdict}", style))
