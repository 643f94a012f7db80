"""The diff codes: what `archgen diff` reports, documented like the validator's rules.

Each code has a fixed change class, carried as its severity so that `--fail-on`,
suppressions and every reporter work unchanged: breaking = error, possibly
breaking = warning, compatible = info. Codes are permanent (AGD1xx endpoints,
AGD2xx models and fields, AGD3xx events and topics, AGD4xx services,
dependencies and SLAs, AGD5xx gateway); x90 codes are the compatible changes.
"""

from __future__ import annotations

import re

from archgen.findings import Severity
from archgen.rules.base import Rule

BREAKING = Severity.ERROR
POSSIBLY = Severity.WARNING
COMPATIBLE = Severity.INFO
CHANGE_CLASS = {BREAKING: "breaking", POSSIBLY: "possibly breaking", COMPATIBLE: "compatible"}

ENDPOINTS = "Diff: endpoints"
MODELS = "Diff: models and fields"
EVENTS = "Diff: events and topics"
SERVICES = "Diff: services, dependencies and SLAs"
GATEWAY = "Diff: gateway"
DIFF_SECTIONS = (ENDPOINTS, MODELS, EVENTS, SERVICES, GATEWAY)


def _code(code: str, slug: str, title: str, change: Severity, section: str,
          explanation: str, fix: str, old: str = "", new: str = "") -> Rule:
    """`old` is a catalog excerpt before the change, `new` the same after a compatible one."""
    bad = f"# before\n{old.strip()}\n" if old else ""
    good = f"# after, breaking nobody\n{new.strip()}\n" if new else ""
    return Rule(code, slug, title, change, section, explanation, fix, bad, good)


_EP = "services:\n  orders:\n    endpoints:\n"
_M = "services:\n  orders:\n    models:\n      Order:\n"
_PUB = "services:\n  orders:\n    publishes:\n      order.placed:\n        payload:\n"
_TOPIC = "event_bus:\n  topics:\n    orders:\n"

_ENDPOINT_CODES = (
    _code("AGD101", "endpoint-removed", "An endpoint was removed", BREAKING, ENDPOINTS,
          "Callers of a removed endpoint get 404 or 405. Its callers are the services whose "
          "`depends_on` names the owner (or lists the route in `calls`), the gateway's "
          "aggregations and, for a public endpoint, every client behind the gateway.",
          "Keep the endpoint (mark it `deprecated: true`) until no caller is left.",
          _EP + "      GET /api/v1/orders/{id}: Get\n", _EP + "      GET /api/v1/orders/{id}: "
          "{summary: Get, deprecated: true}\n"),
    _code("AGD102", "endpoint-route-changed", "An endpoint's method or path changed",
          BREAKING, ENDPOINTS,
          "A route that keeps its summary but changes method or path is the same operation at "
          "a new address: every caller of the old address breaks.",
          "Serve both routes for a while; deprecate the old one.",
          _EP + "      GET /api/v1/orders/{id}: Get an order\n",
          _EP + "      GET /api/v1/orders/{id}: Get an order\n"
                "      GET /api/v2/orders/{id}: Get an order\n"),
    _code("AGD103", "endpoint-status-changed", "An endpoint's success status changed",
          BREAKING, ENDPOINTS,
          "Clients check the status code (201 vs 200, 204 vs 200 with a body).",
          "Keep the status; add a new route for the new behaviour.",
          _EP + "      POST /api/v1/orders: {summary: Create, status: 201}\n",
          _EP + "      POST /api/v1/orders: {summary: Create, status: 201}\n"),
    _code("AGD104", "deprecated-endpoint-removed", "A deprecated endpoint without known "
          "callers was removed", POSSIBLY, ENDPOINTS,
          "The endpoint was marked deprecated and no service in the catalog calls it; clients "
          "outside the catalog may still do so.",
          "Check the access logs before removing it.",
          _EP + "      GET /api/v1/old: {summary: Old, deprecated: true}\n", _EP + "      {}\n"),
    _code("AGD105", "endpoint-made-private", "A public endpoint is no longer public",
          BREAKING, ENDPOINTS,
          "The gateway stops routing it: every client outside the cluster breaks.",
          "Keep it public until its external clients have moved.",
          _EP + "      GET /api/v1/orders: {summary: List}\n",
          _EP + "      GET /api/v1/orders: {summary: List, public: true}\n"),
    _code("AGD106", "query-param-added-required", "A required query parameter was added",
          BREAKING, ENDPOINTS,
          "Existing callers do not send it and get 400.",
          "Make it optional (`required: false` or a `default`).",
          _EP + "      GET /api/v1/orders: {summary: List}\n",
          _EP + "      GET /api/v1/orders: {summary: List, query: {page: {type: int, "
                "default: 1}}}\n"),
    _code("AGD107", "query-param-removed", "A query parameter was removed", POSSIBLY,
          ENDPOINTS,
          "Callers that send it are ignored at best and rejected by strict servers at worst.",
          "Keep accepting it (and ignore it) for a deprecation period.",
          _EP + "      GET /api/v1/orders: {summary: List, query: {page: int}}\n",
          _EP + "      GET /api/v1/orders: {summary: List, query: {page: int}}\n"),
    _code("AGD108", "query-param-narrowed", "A query parameter accepts less than before",
          BREAKING, ENDPOINTS,
          "A new type, fewer enum values, a new or tighter constraint, or optional to "
          "required: some requests that worked are now rejected.",
          "Only widen what a parameter accepts.",
          _EP + "      GET /api/v1/orders: {query: {size: {type: int, maximum: 100}}}\n",
          _EP + "      GET /api/v1/orders: {query: {size: {type: int, maximum: 500}}}\n"),
    _code("AGD109", "request-body-added", "An endpoint now requires a request body",
          BREAKING, ENDPOINTS, "Callers send no body and get 400.",
          "Add a new route, or accept a missing body.",
          _EP + "      POST /api/v1/orders/{id}/cancel: Cancel\n",
          _EP + "      POST /api/v1/orders/{id}/cancel: Cancel\n"),
    _code("AGD110", "request-type-changed", "An endpoint's request type changed", BREAKING,
          ENDPOINTS, "Callers send the old shape; a different model or container type "
          "rejects it.", "Evolve the model's fields compatibly instead of swapping the type.",
          _EP + "      POST /api/v1/orders: {request: Order}\n",
          _EP + "      POST /api/v1/orders: {request: Order}\n"),
    _code("AGD111", "response-type-changed", "An endpoint's response type changed or was "
          "removed", BREAKING, ENDPOINTS,
          "Callers parse the old shape (an object becoming a list, a model swapped, the body "
          "dropped).", "Add fields to the existing model instead.",
          _EP + "      GET /api/v1/orders: {response: list[Order]}\n",
          _EP + "      GET /api/v1/orders: {response: list[Order]}\n"),
    _code("AGD190", "endpoint-added", "An endpoint was added", COMPATIBLE, ENDPOINTS,
          "New routes break nobody.", "Nothing to do.",
          _EP + "      GET /api/v1/orders: List\n",
          _EP + "      GET /api/v1/orders: List\n      GET /api/v1/orders/{id}: Get\n"),
)

_MODEL_CODES = (
    _code("AGD201", "request-field-added-required", "A required field was added to a request",
          BREAKING, MODELS, "Callers do not send the new field and get 400.",
          "Add it as optional (`required: false`) or with a `default`.",
          _M + "        id: uuid\n", _M + "        id: uuid\n        note: {type: str, "
          "required: false}\n"),
    _code("AGD202", "request-field-removed", "A field was removed from a request", POSSIBLY,
          MODELS, "Callers still send it; a strict server (unknown keys forbidden) rejects "
          "them, a lenient one silently drops the data.",
          "Keep accepting the field for a deprecation period.",
          _M + "        id: uuid\n        note: str\n",
          _M + "        id: uuid\n        note: str\n"),
    _code("AGD203", "request-field-narrowed", "A request field accepts less than before",
          BREAKING, MODELS, "A new type, enum values removed, a new or tighter constraint "
          "(minimum, maximum, lengths, pattern, format) or optional to required: requests "
          "that were valid are now rejected.", "Only widen what a request field accepts.",
          _M + "        status: {enum: [new, paid, shipped]}\n",
          _M + "        status: {enum: [new, paid, shipped, returned]}\n"),
    _code("AGD204", "response-field-removed", "A field was removed from a response or a "
          "payload", BREAKING, MODELS,
          "Readers (callers of the endpoints returning the model, consumers of the events "
          "carrying it) expect the field.", "Keep the field; deprecate it in its description.",
          _M + "        total: decimal\n", _M + "        total: decimal\n"),
    _code("AGD205", "response-field-widened", "A response field may now hold what readers "
          "do not expect", BREAKING, MODELS,
          "A new type, required to optional, a constraint relaxed or dropped: readers that "
          "relied on the old promise break.", "Only narrow what a response field returns.",
          _M + "        total: decimal\n", _M + "        total: decimal\n"),
    _code("AGD206", "response-enum-extended", "A response field gained enum values",
          POSSIBLY, MODELS, "Readers with an exhaustive switch over the values break; "
          "tolerant readers do not.", "Tell readers to handle unknown values, then add them.",
          _M + "        status: {enum: [new, paid]}\n",
          _M + "        status: {enum: [new, paid, refunded]}  # readers tolerate unknowns\n"),
    _code("AGD207", "unused-model-changed", "A model used by no endpoint or event changed "
          "incompatibly", COMPATIBLE, MODELS,
          "No contract in the catalog carries the model, so nobody is affected.",
          "Nothing to do.", _M + "        id: uuid\n", _M + "        id: str\n"),
    _code("AGD208", "state-removed", "A state machine lost a state", BREAKING, MODELS,
          "Instances in the removed state are stuck (every move out of it is refused), and "
          "callers and reactions that move into it get 409 or dead letters.",
          "Keep the state until no instance holds it; move them out first.",
          _M + "        status:\n          enum: [new, paid, void]\n          states: "
          "{initial: new, final: [paid, void], transitions: {new: [paid, void]}}\n",
          _M + "        status:\n          enum: [new, paid, void, refunded]\n          states: "
          "{initial: new, final: [void, refunded], transitions: {new: [paid, void], "
          "paid: [refunded]}}\n"),
    _code("AGD209", "transition-removed", "A state machine lost a transition or a cause",
          BREAKING, MODELS,
          "A move that was legal is now refused: the endpoint that made it answers 409, the "
          "reaction that made it sends its events to the dead-letter topic.",
          "Keep the transition (and its causes) until no caller relies on it.",
          _M + "        status:\n          enum: [new, paid, void]\n          states: "
          "{initial: new, final: [paid, void], transitions: {new: [paid, void]}}\n",
          _M + "        status:\n          enum: [new, paid, void]\n          states: "
          "{initial: new, final: [void], transitions: {new: [paid, void], "
          "paid: [void]}}\n"),
    _code("AGD290", "field-compatible-change", "A field changed compatibly", COMPATIBLE,
          MODELS, "Optional request fields added, response fields added or narrowed, request "
          "fields widened: old clients keep working.", "Nothing to do.",
          _M + "        id: uuid\n", _M + "        id: uuid\n        note: {type: str, "
          "required: false}\n"),
)

_EVENT_CODES = (
    _code("AGD301", "event-removed", "An event is no longer published while services "
          "consume it", BREAKING, EVENTS,
          "Its consumers wait for messages that never come: their workflows stop silently.",
          "Keep publishing it until every consumer has moved.",
          _PUB + "          order_id: uuid\n", _PUB + "          order_id: uuid\n"),
    _code("AGD302", "unconsumed-event-removed", "An event nobody in the catalog consumes "
          "was removed", POSSIBLY, EVENTS,
          "No consumer is known, but consumers outside the catalog may exist.",
          "Check the bus for other subscribers.",
          _PUB + "          order_id: uuid\n", "services:\n  orders: {}\n"),
    _code("AGD303", "event-renamed", "An event was renamed (x-renamed-from)", BREAKING,
          EVENTS, "Consumers subscribe by name: producer and consumers must switch together, "
          "or the producer must publish both names for a while.",
          "Publish both names during the migration; list the consumers' new subscriptions.",
          "services:\n  orders:\n    publishes:\n      order.created: Placed\n",
          "services:\n  orders:\n    publishes:\n      order.placed: {when: Placed, "
          "x-renamed-from: order.created}\n"),
    _code("AGD304", "event-moved-topic", "An event moved to another topic", BREAKING, EVENTS,
          "Consumers read the old topic and stop receiving it; per-key ordering across the "
          "move is lost.", "Publish to both topics during the migration.",
          _TOPIC + "      events: [order.placed]\n", _TOPIC + "      events: [order.placed]\n"),
    _code("AGD305", "payload-field-retyped", "A payload field changed type or became optional",
          BREAKING, EVENTS, "Consumers deserialise the old type and rely on the field "
          "being there.", "Add a new field instead; keep the old one.",
          _PUB + "          total: decimal\n", _PUB + "          total: decimal\n"
          "          total_cents: {type: int, required: false}\n"),
    _code("AGD306", "payload-field-added-required-shared", "A required payload field was "
          "added to an event other services also publish", BREAKING, EVENTS,
          "The event's schema is shared by its producers: the others do not send the field, "
          "so their messages become invalid.", "Add it as optional, or update every producer "
          "in the same change.",
          _PUB + "          order_id: uuid\n",
          _PUB + "          order_id: uuid\n          channel: {type: str, required: false}\n"),
    _code("AGD307", "payload-enum-changed", "A payload field's enum values changed", POSSIBLY,
          EVENTS, "Consumers with an exhaustive switch break on new values; removed values "
          "break consumers that wait for them.", "Tell consumers to tolerate unknown values.",
          _PUB + "          status: {enum: [new, paid]}\n",
          _PUB + "          status: {enum: [new, paid]}\n"),
    _code("AGD310", "topic-removed", "A topic was removed", BREAKING, EVENTS,
          "Producers fail to publish and consumers fail to subscribe.",
          "Move its events first; remove the topic once it is empty.",
          _TOPIC + "      events: [order.placed]\n", _TOPIC + "      events: [order.placed]\n"),
    _code("AGD311", "topic-key-changed", "A topic's partition key changed", BREAKING, EVENTS,
          "Ordering per key is what consumers rely on; a new key reorders messages of one "
          "entity across partitions.", "Create a new topic for the new key.",
          _TOPIC + "      key: order_id\n", _TOPIC + "      key: order_id\n"),
    _code("AGD312", "topic-partitions-decreased", "A topic's partition count decreased",
          BREAKING, EVENTS, "Kafka cannot remove partitions: the topic must be recreated, "
          "losing offsets and ordering.", "Keep the count, or migrate to a new topic.",
          _TOPIC + "      partitions: 12\n", _TOPIC + "      partitions: 12\n"),
    _code("AGD313", "topic-partitions-increased", "A topic's partition count increased",
          POSSIBLY, EVENTS, "The key-to-partition mapping changes: messages of one key may "
          "be read out of order around the change.", "Increase when consumers are drained.",
          _TOPIC + "      partitions: 6\n", _TOPIC + "      partitions: 12\n"),
    _code("AGD314", "topic-retention-shortened", "A topic's retention was shortened",
          POSSIBLY, EVENTS, "Consumers that lag or replay (rebuilding a projection) lose "
          "messages older than the new retention.", "Check the consumers' replay needs.",
          _TOPIC + "      retention: 7d\n", _TOPIC + "      retention: 7d\n"),
    _code("AGD315", "topic-dead-letter-removed", "A topic no longer has a dead-letter queue",
          BREAKING, EVENTS, "Consumers that park poison messages on it fail to publish "
          "there (their messages block or are dropped), and the tools that read or replay it "
          "lose it.", "Keep the dead-letter queue.",
          _TOPIC + "      dead_letter: true\n", _TOPIC + "      dead_letter: true\n"),
    _code("AGD316", "emit-condition-changed", "When an event is emitted changed",
          BREAKING, EVENTS,
          "An emit condition (`emits: [{event, when}]`) or a reaction's `when` decides when "
          "consumers hear of a change. Changing it changes what they see: billing at pick-up "
          "instead of delivery, or never.",
          "Publish a new event for the new moment; retire the old one when its consumers "
          "moved.",
          "services:\n  orders:\n    endpoints:\n      PUT /orders/{id}:\n        emits: "
          "[{event: order.paid, when: {status: paid}}]\n",
          "services:\n  orders:\n    endpoints:\n      PUT /orders/{id}:\n        emits: "
          "[{event: order.paid, when: {status: paid}},\n                "
          "{event: order.settled, when: {status: settled}}]\n"),
    _code("AGD317", "compensation-removed", "A step lost a compensation", BREAKING, EVENTS,
          "`compensated_by` names the failure events after which a step is undone (the order "
          "cancelled, the stock released). Without it, a failure later in the flow leaves "
          "the step done: stock stays reserved for an order that was never paid.",
          "Keep the compensation, or replace it by one that undoes the step otherwise.",
          "services:\n  inventory:\n    consumes:\n      order.created:\n"
          "        create: Reservation\n",
          "services:\n  inventory:\n    consumes:\n      order.created:\n"
          "        create: Reservation\n        compensated_by: [order.cancelled]\n"),
    _code("AGD318", "deadline-changed", "A reaction's deadline was removed or changed",
          BREAKING, EVENTS,
          "`within` and `on_timeout` decide when a step that never got its answer times out "
          "(a ticket nobody accepted expires). Removing the deadline leaves such steps waiting "
          "for ever; changing it moves the moment, or the event, others react to.",
          "Keep the deadline; if it must change, announce the new one and let consumers "
          "adapt first.",
          "services:\n  kitchen:\n    consumes:\n      order.placed:\n"
          "        create: Ticket\n        within: 1h\n        on_timeout: ticket.expired\n",
          "services:\n  kitchen:\n    consumes:\n      order.placed:\n"
          "        create: Ticket\n        within: 15m\n        on_timeout: ticket.expired\n"),
    _code("AGD390", "event-added", "An event or topic was added", COMPATIBLE, EVENTS,
          "New events break nobody.", "Nothing to do."),
)

_SERVICE_CODES = (
    _code("AGD401", "service-removed", "A service others depend on was removed", BREAKING,
          SERVICES, "Services calling it (depends_on), consuming events only it published, "
          "or clients of its public endpoints break.",
          "Move its callers and consumers first.",
          "services:\n  orders: {}\n  shipping: {depends_on: [orders]}\n",
          "services:\n  orders: {}\n  shipping: {depends_on: [orders]}\n"),
    _code("AGD402", "unused-service-removed", "A service nothing depends on was removed",
          COMPATIBLE, SERVICES, "No service calls it, no event of it is consumed, it serves "
          "no public endpoint.", "Nothing to do."),
    _code("AGD403", "service-renamed", "A service was renamed (x-renamed-from)", BREAKING,
          SERVICES, "Its address (DNS name, routes, credentials) and its operation ids "
          "change: callers and consumers deployed with the old name break until they are "
          "redeployed. One change, not a removal and an addition.",
          "Run both names side by side (an alias route) while callers move.",
          "services:\n  orders: {}\n", "services:\n  order-service: {x-renamed-from: orders}\n"),
    _code("AGD404", "dependency-cycle-added", "A new synchronous dependency creates a cycle",
          BREAKING, SERVICES, "A cycle of synchronous calls turns one slow service into a "
          "system-wide outage and makes deploys order-dependent.",
          "Make one of the calls asynchronous (an event).",
          "services:\n  a: {depends_on: [b]}\n  b: {}\n",
          "services:\n  a: {depends_on: [b]}\n  b: {consumes: {a.changed: Sync}}\n"),
    _code("AGD405", "latency-budget-exceeded", "A new synchronous dependency breaks a "
          "latency budget", BREAKING, SERVICES,
          "The worst synchronous call chain (timeout x attempts per hop) now exceeds the "
          "caller's `nfr.latency_p99_ms` (or p95) promise, which it did not before.",
          "Lower timeouts or retries, or make the call asynchronous.",
          "services:\n  a: {nfr: {latency_p99_ms: 300}}\n",
          "services:\n  a: {nfr: {latency_p99_ms: 300}, depends_on: {b: {timeout_ms: 100}}}\n"),
    _code("AGD406", "sla-below-callers", "A service's SLA was lowered below what its callers "
          "promise", BREAKING, SERVICES,
          "A caller promising 99.95% cannot keep it on top of a 99.9% dependency; a caller "
          "promising p99 200 ms cannot on top of a 300 ms dependency.",
          "Keep the SLA, or lower the callers' promises in the same change.",
          "services:\n  a: {depends_on: [b], nfr: {availability: 99.9}}\n"
          "  b: {nfr: {availability: 99.95}}\n",
          "services:\n  a: {depends_on: [b], nfr: {availability: 99.9}}\n"
          "  b: {nfr: {availability: 99.95}}\n"),
    _code("AGD407", "sla-lowered", "A service's SLA was lowered", POSSIBLY, SERVICES,
          "Availability lowered or latency raised; no caller in the catalog promises more, but "
          "external clients may.", "Announce the new SLA."),
    _code("AGD490", "service-added", "A service was added", COMPATIBLE, SERVICES,
          "New services break nobody.", "Nothing to do."),
)

_GATEWAY_CODES = (
    _code("AGD501", "gateway-version-removed", "A gateway API version was removed while "
          "public paths still use it", BREAKING, GATEWAY,
          "The gateway stops routing the version: its public paths become unreachable.",
          "Move the public paths to another version first.",
          "gateway: {versions: [v1, v2]}\n", "gateway: {versions: [v1, v2]}\n"),
    _code("AGD502", "unused-gateway-version-removed", "An unused gateway API version was "
          "removed", COMPATIBLE, GATEWAY, "No public path uses it.", "Nothing to do."),
    _code("AGD503", "aggregation-removed", "A gateway aggregation was removed", BREAKING,
          GATEWAY, "An aggregation is a public route of the gateway: its clients break.",
          "Keep the aggregation until its clients have moved.",
          "gateway:\n  aggregations:\n    GET /api/v1/summary: [orders GET /api/v1/orders]\n",
          "gateway:\n  aggregations:\n    GET /api/v1/summary: [orders GET /api/v1/orders]\n"),
    _code("AGD504", "gateway-auth-changed", "The gateway's authentication changed", POSSIBLY,
          GATEWAY, "A new auth type, issuer, audience or required scope rejects tokens that "
          "worked.", "Accept both for a migration period.",
          "gateway: {auth: {type: jwt, issuer: https://id.example/}}\n",
          "gateway: {auth: {type: jwt, issuer: https://id.example/}}\n"),
    _code("AGD505", "rate-limit-lowered", "A gateway rate limit was lowered or removed",
          POSSIBLY, GATEWAY, "Clients that stayed under the old limit may now get 429.",
          "Announce the new limit before lowering it.",
          "gateway: {rate_limits: {free: 100/min}}\n", "gateway: {rate_limits: {free: 100/min}}\n"),
)

DIFF_CODES: dict[str, Rule] = {r.code: r for r in (
    *_ENDPOINT_CODES, *_MODEL_CODES, *_EVENT_CODES, *_SERVICE_CODES, *_GATEWAY_CODES)}
DIFF_SLUGS: dict[str, str] = {r.slug: r.code for r in DIFF_CODES.values()}

_PREFIX = re.compile(r"^AGD[0-9]{0,3}$")


def lookup(code_or_slug: str) -> Rule | None:
    text = code_or_slug.strip()
    return DIFF_CODES.get(text.upper()) or DIFF_CODES.get(DIFF_SLUGS.get(text.lower(), ""))


def matches(selector: str) -> list[str]:
    """Diff codes a selector names: a code, a slug, a prefix (AGD1, AGD30) or ALL; [] if none."""
    text = selector.strip()
    if text.upper() == "ALL":
        return list(DIFF_CODES)
    found = lookup(text)
    if found is not None:
        return [found.code]
    if _PREFIX.match(text.upper()):
        return [c for c in DIFF_CODES if c.startswith(text.upper())]
    return []
