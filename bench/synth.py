"""Seeded synthetic catalogs of N services, written the way people write YAML.

    python -m bench.synth 2000 -o /tmp/catalog-2000.yaml [--seed 0]

    from bench.synth import make_catalog, write_catalog, cached_catalog
    text = make_catalog(2000, seed=0)

The mix follows the e-commerce blueprint: bounded contexts shared by small
groups, 2-6 models per service with constrained fields, 3-8 endpoints, a data
store each (PostgreSQL, MongoDB or Redis; unique names and tables), events
with exactly one producer and at least one consumer, one topic per entity
keyed by a field of every payload, acyclic `depends_on` (only to
lower-numbered services, 0-3 each, at most three levels deep) whose timeouts
x attempts fit the caller's p95 and whose availabilities multiply out, and the
gateway, mesh, event bus, infrastructure and communication sections.

Every catalog loads with zero errors and is meant to have zero error-level
findings; the same (n, seed) always gives the same text.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

NOUNS = (
    "order", "payment", "invoice", "customer", "account", "cart", "product", "price",
    "stock", "shipment", "parcel", "carrier", "review", "rating", "coupon", "voucher",
    "loyalty", "refund", "ticket", "booking", "seat", "route", "driver", "vehicle",
    "device", "sensor", "alert", "report", "audit", "ledger", "budget", "claim",
    "policy", "quote", "contract", "tenant", "member", "profile", "session", "consent",
    "document", "asset", "media", "playlist", "lesson", "course", "exam", "grade",
    "recipe", "menu", "table", "supplier", "warehouse", "pallet", "batch", "recall",
    "campaign", "lead", "survey", "feedback",
)
CONTEXT_WORDS = (
    "Management", "Operations", "Fulfillment", "Billing", "Engagement", "Logistics",
    "Compliance", "Insights", "Catalog", "Identity",
)
VERBS = ("created", "updated", "archived", "approved", "cancelled", "completed")
STACKS = (
    ("python", "fastapi"), ("python", "fastapi"), ("python", "fastapi"),
    ("go", "gin"), ("java", "spring-boot"), ("typescript", "nestjs"),
)
STORES = (("relational", "postgresql"), ("relational", "postgresql"),
          ("document", "mongodb"), ("key-value", "redis"))
AVAILABILITY_GRID = (99.999, 99.995, 99.99, 99.95, 99.9, 99.5, 99.0, 98.0, 95.0, 90.0)
TIER_SHARES = (0.4, 0.3, 0.2, 0.1)  # leaves first: a service calls only lower tiers

GATEWAY_AVAILABILITY = 99.99
DEFAULT_TIMEOUT_MS = 100
DEFAULT_ATTEMPTS = 2  # communication.sync.retries: 1


@dataclass
class _Dep:
    target: int
    timeout_ms: int | None  # None: the communication.sync default
    attempts: int | None
    form: str  # "flow" | "block" | "empty" | "list"

    def cost(self) -> int:
        return (self.timeout_ms or DEFAULT_TIMEOUT_MS) * (self.attempts or DEFAULT_ATTEMPTS)


@dataclass
class _Service:
    index: int
    entity: str
    name: str
    tier: int
    public: bool
    version: str
    context: str
    models: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    consumes: list[str] = field(default_factory=list)
    deps: list[_Dep] = field(default_factory=list)
    chain_ms: int = 0  # worst case: every dependency, and theirs, timing out on every attempt
    p95_ms: int = 0
    availability: float = 0.0
    routes: list[str] = field(default_factory=list)


def _pascal(entity: str) -> str:
    return entity[0].upper() + entity[1:]


def _pick_availability(limit: float) -> float:
    """The highest grid value not above `limit` (with a margin for float products)."""
    for value in AVAILABILITY_GRID:
        if value <= limit - 1e-9:
            return value
    return AVAILABILITY_GRID[-1]


def _plan(n: int, rng: random.Random) -> list[_Service]:
    services: list[_Service] = []
    bounds = [math.ceil(n * sum(TIER_SHARES[: k + 1])) for k in range(len(TIER_SHARES))]
    by_tier: list[list[int]] = [[] for _ in TIER_SHARES]
    context = ""
    group_left = 0
    group = 0
    for i in range(n):
        noun = NOUNS[i % len(NOUNS)]
        round_ = i // len(NOUNS)
        entity = noun if round_ == 0 else f"{noun}{round_ + 1}"
        if group_left == 0:  # bounded contexts shared by groups of 1-3 services
            group += 1
            group_left = rng.choice((1, 1, 1, 2, 2, 3))
            context = f"{_pascal(noun)} {rng.choice(CONTEXT_WORDS)} {group}"
        group_left -= 1
        tier = next(k for k, b in enumerate(bounds) if i < b)
        svc = _Service(i, entity, f"{entity}-service", tier, public=rng.random() < 0.7,
                       version="v2" if rng.random() < 0.15 else "v1", context=context)
        lower = [j for k in range(tier) for j in by_tier[k]]
        if lower:
            count = min(len(lower), rng.choice((1, 1, 2, 2, 3)))
            for target in sorted(rng.sample(lower, count)):
                form = rng.choice(("flow", "flow", "flow", "block", "empty", "list"))
                if form in ("empty", "list"):
                    svc.deps.append(_Dep(target, None, None, form))
                else:
                    svc.deps.append(_Dep(target, rng.choice((30, 50, 60, 80, 100, 120)),
                                         rng.choice((1, 2, 2, 3)), form))
            if any(d.form == "list" for d in svc.deps):  # the list short form is all or nothing
                svc.deps = [_Dep(d.target, None, None, "list") for d in svc.deps]
        svc.chain_ms = sum(d.cost() + services[d.target].chain_ms for d in svc.deps)
        svc.p95_ms = 50 * math.ceil((rng.choice((40, 60, 80, 100, 150)) + svc.chain_ms) / 50)
        limit = GATEWAY_AVAILABILITY if svc.public else 100.0
        for d in svc.deps:
            limit = limit * services[d.target].availability / 100
        if not svc.deps:
            limit = min(limit, rng.choice((99.999, 99.99, 99.99, 99.95, 99.9)) + 1e-6)
        svc.availability = _pick_availability(limit)
        by_tier[tier].append(i)
        services.append(svc)
    # Events: 1-3 per service, each consumed by 1-3 other services.
    for svc in services:
        verbs = ["created", *rng.sample(VERBS[1:], rng.choice((0, 0, 1, 1, 2)))]
        svc.events = [f"{svc.entity}.{v}" for v in verbs]
    if n > 1:
        for svc in services:
            for event in svc.events:
                for j in rng.sample(range(n - 1), min(n - 1, rng.choice((1, 1, 1, 2, 3)))):
                    consumer = services[j if j < svc.index else j + 1]
                    consumer.consumes.append(event)
    return services


class _Out:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, indent: int, text: str) -> None:
        self.lines.append("  " * indent + text)


def _models(out: _Out, svc: _Service, rng: random.Random) -> list[str]:
    e = _pascal(svc.entity)
    wanted = rng.choice((2, 2, 3, 3, 4, 5, 6))
    names = [e, f"New{e}", f"{e}Item", f"{e}Status", f"{e}Summary", f"{e}Page"][:wanted]
    out(2, "models:")
    has_item = f"{e}Item" in names
    items = f", items: \"list[{e}Item]\"" if has_item else ""
    if rng.random() < 0.5:
        out(3, f"{e}:")
        out(4, "id: uuid")
        out(4, "name: {type: str, max_length: 200}")
        out(4, "status: {enum: [active, archived], default: active}")
        if has_item:
            out(4, f"items: list[{e}Item]")
        out(4, "amount: decimal")
    else:
        out(3, f"{e}: {{id: uuid, name: {{type: str, max_length: 200}}, "
               f"status: {{enum: [active, archived]}}{items}, amount: decimal}}")
    out(3, f"New{e}: {{name: str, amount: {{type: decimal, minimum: 0}}}}")
    if has_item:
        out(3, f"{e}Item: {{sku: str, quantity: {{type: int, minimum: 1}}}}")
    if f"{e}Status" in names:
        out(3, f"{e}Status: {{status: str, reason: {{type: str, required: false}}}}")
    if f"{e}Summary" in names:
        out(3, f"{e}Summary: {{id: uuid, name: str}}")
    if f"{e}Page" in names:
        out(3, f"{e}Page: {{items: \"list[{e}Summary]\", total: int}}")
    return names


def _endpoints(out: _Out, svc: _Service, models: list[str], rng: random.Random) -> None:
    e = _pascal(svc.entity)
    base = f"/api/{svc.version}/{svc.entity}s"
    first_event = svc.events[0]
    status_event = next((ev for ev in svc.events if not ev.endswith(".created")), None)
    # (route, lines) - the ones that use a model come first, so every model is used.
    eps: list[tuple[str, list[str]]] = [
        (f"POST {base}", ["block", f"Create a {svc.entity}", f"New{e}", e, first_event]),
        (f"GET {base}/{{id}}", ["flow", f"Retrieve a {svc.entity}", "", e, ""]),
    ]
    if f"{e}Status" in models:
        eps.append((f"PUT {base}/{{id}}/status",
                    ["flow", f"Change the status of a {svc.entity}", f"{e}Status", e,
                     status_event or ""]))
    if f"{e}Summary" in models:
        eps.append((f"GET {base}/{{id}}/summary",
                    ["flow", f"Summarize a {svc.entity}", "", f"{e}Summary", ""]))
    if f"{e}Page" in models:
        eps.append((f"GET {base}", ["flow", f"List {svc.entity} records", "", f"{e}Page", ""]))
    else:
        eps.append((f"GET {base}", ["flow", f"List {svc.entity} records", "",
                                    f"list[{e}]", ""]))
    extra: list[tuple[str, list[str]]] = [
        (f"DELETE {base}/{{id}}", ["short", f"Delete a {svc.entity}", "", "", ""]),
        (f"PATCH {base}/{{id}}", ["flow", f"Update a {svc.entity}", f"New{e}", e, ""]),
        (f"GET {base}/{{id}}/history", ["short", f"History of a {svc.entity}", "", "", ""]),
        (f"POST {base}/{{id}}/comments", ["flow", f"Comment on a {svc.entity}", "", "", ""]),
        (f"GET {base}/search", ["flow", f"Search {svc.entity} records", "", f"list[{e}]", "q"]),
    ]
    wanted = rng.choice((3, 3, 4, 4, 5, 6, 7, 8))
    eps += extra[: max(0, wanted - len(eps))]
    out(2, "endpoints:")
    for route, (form, summary, request, response, emits) in eps:
        svc.routes.append(route)
        if form == "short":
            out(3, f"{route}: {summary}")
        elif form == "block":
            out(3, f"{route}:")
            out(4, f"summary: {summary}")
            if request:
                out(4, f"request: {request}")
            if response:
                out(4, f"response: {response}")
            if emits:
                out(4, f"emits: [{emits}]")
        else:
            parts = [f"summary: {summary}"]
            if request:
                parts.append(f"request: {request}")
            if response:
                parts.append(f'response: "{response}"' if "[" in response
                             else f"response: {response}")
            if emits == "q":
                parts.append("query: {q: {type: str, min_length: 2}}")
            elif emits:
                parts.append(f"emits: [{emits}]")
            out(3, f"{route}: {{{', '.join(parts)}}}")


def _service(out: _Out, svc: _Service, services: list[_Service], rng: random.Random) -> None:
    out(1, f"{svc.name}:")
    out(2, f"bounded_context: {svc.context}")
    out(2, f"description: Owns {svc.entity} records and their lifecycle")
    out(2, f"team: team-{svc.index // 7 + 1}")
    if rng.random() < 0.3:
        out(2, "responsibilities:")
        out(3, f"- Manage {svc.entity} records")
        out(3, f"- Publish {svc.entity} lifecycle events")
    language, framework = rng.choice(STACKS)
    out(2, f"technology: {{language: {language}, framework: {framework}}}")
    if not svc.public:
        out(2, "public: false")
    if rng.random() < 0.05:
        out(2, f"x-runbook: https://runbooks.example/{svc.name}")
    models = _models(out, svc, rng)
    _endpoints(out, svc, models, rng)
    _data_store(out, svc, rng)
    _messaging(out, svc, rng)
    _depends_on(out, svc, services)
    _nfr(out, svc, rng)


def _data_store(out: _Out, svc: _Service, rng: random.Random) -> None:
    kind, tech = rng.choice(STORES)
    tables = [f"{svc.entity}s", f"{svc.entity}_items", f"{svc.entity}_history"]
    tables_part = "" if tech == "redis" else f", tables: [{', '.join(tables[: rng.randint(1, 3)])}]"
    if rng.random() < 0.15:
        out(2, "data_store:")
        out(3, f"type: {kind}")
        out(3, f"technology: {tech}")
        out(3, f"name: {svc.entity}-db")
        if tables_part:
            out(3, f"tables: {tables_part.split(': ', 1)[1]}")
        out(3, f"owns: All {svc.entity} data")
    else:
        out(2, f"data_store: {{type: {kind}, technology: {tech}, name: {svc.entity}-db"
               f"{tables_part}}}")


def _messaging(out: _Out, svc: _Service, rng: random.Random) -> None:
    out(2, "publishes:")
    key = f"{svc.entity}_id"
    for event in svc.events:
        verb = event.split(".", 1)[1]
        if rng.random() < 0.3:
            out(3, f"{event}:")
            out(4, f"when: When a {svc.entity} is {verb}")
            out(4, "payload:")
            out(5, f"{key}: uuid")
            out(5, "occurred_at: datetime")
        else:
            out(3, f"{event}: {{when: When a {svc.entity} is {verb}, "
                   f"payload: {{{key}: uuid, occurred_at: datetime}}}}")
    if svc.consumes:
        out(2, "consumes:")
        for event in sorted(set(svc.consumes)):
            if rng.random() < 0.7:
                out(3, f"{event}: React to {event}")
            else:
                out(3, f"{event}: {{action: React to {event}, idempotent: true}}")


def _depends_on(out: _Out, svc: _Service, services: list[_Service]) -> None:
    if svc.deps:
        if svc.deps[0].form == "list":
            names = ", ".join(services[d.target].name for d in svc.deps)
            out(2, f"depends_on: [{names}]")
        else:
            out(2, "depends_on:")
            for d in svc.deps:
                target = services[d.target].name
                retries = (d.attempts or DEFAULT_ATTEMPTS) - 1
                if d.form == "empty":
                    out(3, f"{target}: {{}}")
                elif d.form == "block":
                    out(3, f"{target}:")
                    out(4, "protocol: http")
                    out(4, f"timeout_ms: {d.timeout_ms}")
                    out(4, f"retries: {retries}")
                    out(4, "circuit_breaker: {failure_threshold: 5, reset_s: 30}")
                else:
                    out(3, f"{target}: {{timeout_ms: {d.timeout_ms}, retries: {retries}}}")


def _nfr(out: _Out, svc: _Service, rng: random.Random) -> None:
    high = svc.availability >= 99.9
    rmin = rng.choice((2, 3)) if high else rng.choice((1, 2))
    rmax = rmin + rng.choice((2, 4, 8, 12))
    out(2, "nfr:")
    out(3, f"latency_p95_ms: {svc.p95_ms}")
    out(3, f"availability: {svc.availability}")
    out(3, f"replicas: {{min: {rmin}, max: {rmax}}}")
    if rng.random() < 0.3:
        out(3, f"throughput_tps: {rng.choice((50, 100, 200, 500, 1000))}")
        cpu, memory = rng.choice((("250m", "256Mi"), ("500m", "512Mi"), ("1", "1Gi")))
        out(3, f"resources: {{cpu: {cpu}, memory: {memory}}}")


def make_catalog(n: int, seed: int = 0) -> str:
    """The YAML text of a valid catalog of `n` services (n >= 1); deterministic per seed."""
    if n < 1:
        raise ValueError("a catalog needs at least one service")
    rng = random.Random(seed * 1_000_003 + n)
    services = _plan(n, rng)
    out = _Out()
    out(0, f"# Synthetic catalog: {n} services, seed {seed} (python -m bench.synth {n} "
           f"--seed {seed})")
    out(0, "archgen: 1")
    out(0, "system:")
    out(1, f"name: synth-{n}")
    out(1, f"title: Synthetic system of {n} services")
    out(1, "owner: platform-team")
    out(0, "")
    _gateway(out, services, rng)
    out(0, "")
    out(0, "mesh: {technology: istio, mtls: strict, nfr: {proxy_overhead_p99_ms: 10}}")
    out(0, "")
    out(0, "services:")
    for svc in services:
        _service(out, svc, services, rng)
    _tail(out, services, rng)
    return "\n".join(out.lines) + "\n"


def _tail(out: _Out, services: list[_Service], rng: random.Random) -> None:
    out(0, "")
    out(0, "event_bus:")
    out(1, "technology: kafka")
    out(1, "replication_factor: 3")
    out(1, "schema_registry: true")
    out(1, "topics:")
    for svc in services:
        events = ", ".join(svc.events)
        partitions = rng.choice((3, 6, 12))
        if rng.random() < 0.5:
            out(2, f"{svc.entity}-events: {{events: [{events}], partitions: {partitions}, "
                   f"key: {svc.entity}_id, retention: 7d, dead_letter: true}}")
        else:
            out(2, f"{svc.entity}-events:")
            out(3, f"events: [{events}]")
            out(3, f"partitions: {partitions}")
            out(3, f"key: {svc.entity}_id")
            out(3, f"retention: {rng.choice(('3d', '7d', '14d'))}")
    out(0, "")
    out(0, "infrastructure:")
    out(1, "service_discovery: {technology: kubernetes-dns}")
    out(1, "configuration: {technology: kubernetes-configmaps}")
    out(1, "secrets: {technology: vault}")
    out(1, "logging: {technology: elk}")
    out(1, "monitoring: {technology: prometheus, dashboards: grafana}")
    out(1, "tracing: {technology: jaeger}")
    out(0, "")
    out(0, "communication:")
    out(1, "sync:")
    out(2, "protocols: [rest]")
    out(2, f"timeout_ms: {DEFAULT_TIMEOUT_MS}")
    out(2, f"retries: {DEFAULT_ATTEMPTS - 1}")
    out(2, "circuit_breaker: {failure_threshold: 5, reset_s: 30}")
    out(1, "async: {delivery: at-least-once, retries: {max_attempts: 5, backoff: exponential, "
           "base_ms: 200}, dead_letter: true}")


def _gateway(out: _Out, services: list[_Service], rng: random.Random) -> None:
    out(0, "gateway:")
    out(1, "purpose: Provide a unified API entry point for mobile and web clients.")
    out(1, "technology: kong")
    out(1, "supporting: [redis]")
    out(1, "auth:")
    out(2, "type: jwt")
    out(2, "issuer: https://auth.synth.example/")
    out(2, "audiences: [synth-api]")
    out(2, "jwks_uri: https://auth.synth.example/.well-known/jwks.json")
    out(1, "rate_limits: {free: 100/min, premium: 1000/min, enterprise: 10000/min}")
    out(1, "versions: [v1, v2]")
    out(1, "cors: {allow_origins: [\"https://synth.example\"]}")
    out(1, "compression: true")
    public = [s for s in services if s.public]
    pairs = min(len(public) // 2, max(1, len(services) // 100))
    if pairs:
        out(1, "aggregations:")
        for k in range(pairs):
            a, b = public[2 * k], public[2 * k + 1]
            out(2, f"GET /api/v1/bff/view-{k + 1}/{{id}}:")
            out(3, f"summary: {a.entity} with its {b.entity}, for the mobile screen")
            out(3, "calls:")
            out(4, f"- {a.name} GET /api/{a.version}/{a.entity}s/{{id}}")
            out(4, f"- {b.name} GET /api/{b.version}/{b.entity}s/{{id}}")
    out(1, "nfr:")
    out(2, "latency_overhead_ms: 20")
    out(2, "throughput_rps: 10000")
    out(2, f"availability: {GATEWAY_AVAILABILITY}")
    out(2, "replicas: {min: 3, max: 20}")
    del rng


def write_catalog(n: int, path: Path | str, seed: int = 0) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(make_catalog(n, seed), encoding="utf-8")
    return path


def cached_catalog(n: int, seed: int = 0, directory: Path | str | None = None) -> Path:
    """The catalog file for (n, seed), generated once under bench/.cache/ (or `directory`)."""
    base = Path(directory) if directory else Path(__file__).resolve().parent / ".cache"
    path = base / f"catalog-{n}-s{seed}.yaml"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        write_catalog(n, tmp, seed)
        tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("services", type=int, help="number of services")
    parser.add_argument("-o", "--output", help="output file (default: stdout)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.services < 1:
        parser.error("services must be at least 1")
    if args.output:
        write_catalog(args.services, args.output, args.seed)
    else:
        sys.stdout.write(make_catalog(args.services, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
