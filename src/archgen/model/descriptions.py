"""What each key of catalog format 1 means: the hover text and completions editors show.

Kept beside the models rather than inside them so the models stay readable and small;
`model/schema.py` puts these into the JSON Schema, and tests/test_schema.py checks that
every property of every model has a description here (and nothing here is stale).
A value is a description, or (description, examples).
"""

from __future__ import annotations

Doc = str | tuple[str, list[object]]

_RETRIES = ("Retries after the first attempt (2 means three attempts), or a retry policy.",
            [2, {"max_attempts": 3, "backoff": "exponential", "base_ms": 100}])
_DESCRIPTION = "Free text for the architecture document."
EXTENSION = "An extension key (x-...): rules ignore it, templates receive it."

DESCRIPTIONS: dict[str, dict[str, Doc]] = {
    "Catalog": {
        "archgen": ("The catalog format version. Required; always 1.", [1]),
        "system": "The system as a whole: its name, title and owner. Required.",
        "gateway": "The API Gateway: the one entry point for clients (auth, rate limits, "
                   "versions, aggregations).",
        "mesh": "The service mesh: mTLS and traffic policy between services.",
        "services": "The microservices, keyed by service name (a DNS label). Required.",
        "event_bus": "The event bus and its topics.",
        "infrastructure": "Supporting infrastructure: discovery, configuration, secrets, "
                          "logging, monitoring, tracing.",
        "communication": "Communication patterns: the defaults every synchronous call and "
                         "event delivery inherits.",
        "rules": "Rule configuration: severity overrides, selections and ignores.",
        "smoke": "The main flow `archgen up --smoke` drives, where the chain of reactions from "
                 "a public POST cannot show it (a status set by a manual call).",
    },
    "System": {
        "name": ("The system's name, a DNS label; names the chart, the namespace and the "
                 "generated/<name>/ folder.", ["shop"]),
        "title": ("A human title for diagrams and documents.", ["Online Shop"]),
        "description": _DESCRIPTION,
        "owner": ("The team that owns the system.", ["platform-team"]),
        "version": ("The system's version, shown in generated specs.", ["1.0.0"]),
    },
    "Gateway": {
        "purpose": ("Why the gateway exists, in a sentence.",
                    ["Provide unified API entry point for mobile and web clients."]),
        "description": _DESCRIPTION,
        "technology": "The gateway product. `none` needs a `justification`.",
        "justification": "Why there is no gateway, when `technology` is none.",
        "supporting": ("Supporting products the gateway uses.", [["redis", "auth0"]]),
        "protocols": ("Protocols the gateway accepts from clients.", [["https", "grpc"]]),
        "auth": "How clients authenticate at the gateway.",
        "rate_limits": ("Rate limit per client tier, as requests/period; the first tier "
                        "is the default.", [{"free": "100/min", "premium": "1000/min"}]),
        "versions": ("API versions; every public path starts with /api/<version>/.",
                     [["v1", "v2"]]),
        "cors": "Cross-origin (CORS) policy for browser clients.",
        "compression": "Whether the gateway compresses responses.",
        "aggregations": ("API composition routes the gateway serves through the generated "
                         "aggregation service, keyed by `METHOD /path`: the service calls "
                         "each one makes, their {parameters} filled from the route by name.",
                         [{"GET /api/v1/orders/{id}/summary": [
                             "order-service GET /api/v1/orders/{id}"]}]),
        "nfr": "The gateway's non-functional requirements.",
    },
    "GatewayAuth": {
        "type": "The authentication scheme clients use.",
        "issuer": ("The token issuer URL.", ["https://auth.shop.example/"]),
        "audiences": ("Accepted token audiences.", [["shop-api"]]),
        "jwks_uri": ("Where the gateway fetches signing keys.",
                     ["https://auth.shop.example/.well-known/jwks.json"]),
        "scopes": ("OAuth2 scopes the API defines.", [["orders:read", "orders:write"]]),
    },
    "RateLimit": {
        "requests": "Requests allowed per period.",
        "period": "The period the requests are counted over.",
    },
    "Cors": {
        "allow_origins": ("Origins allowed to call the API.", [["https://shop.example"]]),
        "allow_methods": ("HTTP methods allowed cross-origin.", [["GET", "POST"]]),
        "allow_headers": ("Request headers allowed cross-origin.", [["Authorization"]]),
        "allow_credentials": "Whether browsers may send cookies and credentials.",
        "max_age_s": ("How long browsers may cache the preflight answer, in seconds.", [600]),
    },
    "Aggregation": {
        "summary": "What the aggregated route returns, in a line.",
        "description": _DESCRIPTION,
        "calls": ("The calls it makes, as `<service> METHOD /path`.",
                  [["order-service GET /api/v1/orders/{id}"]]),
    },
    "GatewayNfr": {
        "latency_overhead_ms": ("Latency the gateway may add, in milliseconds.", [50]),
        "throughput_rps": ("Requests per second the gateway must sustain.", [10000]),
        "max_connections": "Concurrent client connections the gateway must hold.",
        "availability": ("Availability target in percent.", [99.99]),
        "replicas": "How many gateway instances run, and when to scale.",
    },
    "Replicas": {
        "min": ("The fewest instances running.", [2]),
        "max": ("The most instances the autoscaler may start.", [10]),
        "cpu_target_pct": ("CPU use (percent) the autoscaler aims for.", [70]),
    },
    "Mesh": {
        "technology": "The service mesh product. `none` needs a `justification`.",
        "mtls": "Mutual TLS between services: strict (required) or permissive (optional).",
        "justification": "Why there is no mesh, when `technology` is none.",
        "description": _DESCRIPTION,
        "nfr": "The mesh's non-functional requirements.",
    },
    "MeshNfr": {
        "proxy_overhead_p99_ms": ("p99 latency the sidecar proxy may add, in ms.", [10]),
        "control_plane_replicas": ("Instances of the mesh control plane.", [2]),
    },
    "Service": {
        "bounded_context": ("The DDD bounded context the service owns (one service "
                            "per context).", ["Order Management"]),
        "description": ("What the service does, in a sentence.",
                        ["Order lifecycle from creation to fulfillment"]),
        "team": ("The team that owns the service.", ["orders"]),
        "responsibilities": ("What the service is responsible for.",
                             [["Create and manage customer orders"]]),
        "technology": "Language, framework and template of the service.",
        "public": "Whether the gateway routes to this service. Default: true.",
        "port": ("The port the service listens on.", [8080]),
        "models": ("Request, response and payload shapes, keyed by PascalCase model name: "
                   "field name to type.", [{"Order": {"id": "uuid", "total": "decimal"}}]),
        "endpoints": ("HTTP endpoints keyed by `METHOD /path`: a summary, or a mapping.",
                      [{"GET /api/v1/orders/{id}": "Retrieve order details"}]),
        "data_store": "The service's own data store (database per service).",
        "publishes": ("Events the service publishes, keyed by `<entity>.<past-tense-verb>`: "
                      "when, or a mapping with the payload.",
                      [{"order.created": "When an order is placed"}]),
        "consumes": ("Events the service consumes, keyed by event name: the action, or a "
                     "mapping.", [{"payment.completed": "Confirm the order"}]),
        "depends_on": ("Services this one calls synchronously: a list of names, or a mapping "
                       "name to call settings (which override `communication.sync`).",
                       [["payment-service"], {"payment-service": {"timeout_ms": 800}}]),
        "nfr": "The service's non-functional requirements.",
    },
    "Technology": {
        "language": ("The implementation language (free text).", ["python"]),
        "framework": ("The web framework (free text).", ["fastapi"]),
        "version": ("The language or framework version.", ["3.11"]),
        "supporting": ("Libraries and tools worth naming.", [["sqlalchemy", "celery"]]),
        "template": "A path (relative to the catalog's folder) or git URL of a cookiecutter "
                    "template for the service's hand-written part, rendered in a sandbox "
                    "unless `archgen generate --trust-templates`. Default: archgen's own.",
    },
    "Endpoint": {
        "summary": ("What the endpoint does, in a line.", ["Create new order"]),
        "description": _DESCRIPTION,
        "request": ("The request body: a model name or a type (list[Order]).", ["Order"]),
        "response": ("The response body: a model name or a type.", ["Order", "list[Order]"]),
        "query": ("Query parameters: name to type.", [{"limit": "int"}]),
        "status": ("The success status code. Default: 201 for POST, 204 for DELETE, "
                   "else 200.", [201]),
        "emits": ("Events a call to this endpoint publishes: a name, or `{event, when}` to emit "
                  "it only when the condition holds on the resulting model. Of the entries "
                  "without `when`, the default behaviour emits the first (the others are "
                  "alternatives a handler picks).",
                  [["order.created"],
                   [{"event": "delivery.completed", "when": {"status": "delivered"}}]]),
        "compensated_by": ("Compensation: the failure events after which this step is "
                           "undone; the service's own reaction to each (its `consumes` entry) "
                           "is the compensation, validated and smoke-tested.",
                           [["payment.failed"], "order.cancelled"]),
        "public": "Whether the gateway routes this endpoint. Default: the service's `public`.",
        "deprecated": "Marks the endpoint deprecated in the generated spec.",
    },
    "FieldSpec": {
        "type": ("str, int, float, bool, decimal, uuid, date, datetime, list[T], "
                 "dict[str, T] or a model name.", ["str", "uuid", "list[OrderItem]"]),
        "required": "Whether the field must be present. Default: true unless it has a "
                    "`default`.",
        "default": "The value when the field is absent.",
        "enum": ("The allowed values.", [["pending", "confirmed", "shipped"]]),
        "minimum": "The smallest allowed number.",
        "maximum": "The largest allowed number.",
        "min_length": "The shortest allowed string.",
        "max_length": ("The longest allowed string.", [500]),
        "pattern": ("A regular expression the string must match.", ["^[A-Z]{3}$"]),
        "format": ("A JSON Schema format hint.", ["email", "uri"]),
        "description": "What the field holds (goes into the generated specs).",
        "states": ("A state machine over the field's `enum` values: the initial and final "
                   "states and the legal transitions; the generated service answers an "
                   "illegal change with 409 (a reaction's goes to the dead-letter topic).",
                   [{"initial": "pending", "final": ["delivered", "cancelled"],
                     "transitions": {"pending": ["accepted", "cancelled"],
                                     "accepted": {"delivered": "PUT /deliveries/{id}"}}}]),
    },
    "StateMachine": {
        "initial": ("The state a new instance starts in (creating is not a transition).",
                    ["pending"]),
        "final": ("States with no way out.", [["delivered", "cancelled"]]),
        "transitions": ("From state: the states it may move to, as a list (any endpoint or "
                        "reaction that writes the field) or as `to: causes`, a cause being a "
                        "route of the service (`PUT /path`) or an event it consumes.",
                        [{"pending": ["accepted", "rejected"]},
                         {"accepted": {"picked_up": "PUT /deliveries/{id}",
                                       "cancelled": ["restaurant.closed"]}}]),
    },
    "Emit": {
        "event": ("The event, one of the service's `publishes`.", ["delivery.completed"]),
        "when": ("A condition on the resulting model (for a reaction: then the consumed "
                 "payload): field: value, or field: comparison; all must hold.",
                 [{"status": "delivered"}, {"total": {"gt": 100}}]),
    },
    "Comparison": {
        "eq": ("Equal to this value (also the short form `field: value`).", ["delivered"]),
        "ne": ("Not equal to this value.", ["cancelled"]),
        "gt": ("Greater than this number (decimals compare as numbers).", [100]),
        "ge": ("Greater than or equal to this number.", [1]),
        "lt": ("Less than this number.", [10]),
        "le": ("Less than or equal to this number.", [0]),
        "in": ("One of these values.", [["accepted", "picked_up"]]),
    },
    "DataStore": {
        "type": "The kind of store. `none` for a stateless service.",
        "technology": "The database product.",
        "version": ("The product version.", ["16"]),
        "name": ("The store's name, a DNS label; one store belongs to one service.",
                 ["orders-db"]),
        "tables": ("Tables or collections in the store.", [["orders", "order_items"]]),
        "owns": ("The data the service owns, in words.", ["All order-related data"]),
        "schema": "A summary of the schema, for the architecture document.",
        "description": _DESCRIPTION,
    },
    "Publish": {
        "when": ("When the event is published.", ["When an order is placed"]),
        "description": _DESCRIPTION,
        "payload": ("The event's fields: name to type.",
                    [{"order_id": "uuid", "total": "decimal"}]),
    },
    "Consume": {
        "action": ("What consuming the event does.", ["Confirm the order"]),
        "description": _DESCRIPTION,
        "idempotent": "Whether handling the same event twice is safe.",
        "create": ("Reaction: the model of this service the default handler creates from "
                   "the event.", ["Payment"]),
        "update": ("Reaction: the model of this service the default handler updates; "
                   "`match` finds the instance.", ["Order"]),
        "match": ("Reaction (update): model field: the payload field its value must equal.",
                  [{"id": "order_id"}]),
        "copy": ("Reaction: model field: the payload field copied into it.",
                 [{"order_id": "order_id", "amount": "total"}]),
        "set": ("Reaction: model field: a literal value it is set to.",
                [{"status": "confirmed"}]),
        "when": ("Reaction: a condition on the consumed payload; the reaction runs only "
                 "when it holds (else the event is handled with no change).",
                 [{"total": {"gt": 100}}, {"status": {"in": ["paid", "refunded"]}}]),
        "emits": ("Reaction: events of this service's `publishes` sent after the change "
                  "(through the outbox); their payload is taken from the model. An entry "
                  "`{event, when}` is sent only when its condition holds.",
                  [["order.confirmed"],
                   [{"event": "order.confirmed", "when": {"status": "confirmed"}}]]),
        "within": ("Timeout: how long the record this reaction wrote may keep the state it "
                   "left; when it passes unchanged, the service emits `on_timeout` (a durable "
                   "timer in the service's relational store, kept across restarts).",
                   ["15m", "30s"]),
        "on_timeout": ("Timeout: the event (one of the service's `publishes`) emitted when "
                       "`within` passes and the record is still in the state the reaction "
                       "left; its payload is taken from the record.", ["delivery.expired"]),
        "compensated_by": ("Compensation: the failure events after which this step is "
                           "undone; the service's own reaction to each (its `consumes` entry) "
                           "is the compensation, validated and smoke-tested.",
                           [["payment.failed"], "order.cancelled"]),
    },
    "Dependency": {
        "protocol": "The protocol of the calls. Default: the first of "
                    "`communication.sync.protocols`.",
        "timeout_ms": ("Timeout per call in milliseconds. Default: "
                       "`communication.sync.timeout_ms`.", [800]),
        "retries": _RETRIES,
        "circuit_breaker": "When to stop calling a failing service. Default: "
                           "`communication.sync.circuit_breaker`.",
        "calls": ("The endpoints of the other service this one calls, as `METHOD /path`.",
                  [["GET /api/v1/customers/{id}"]]),
        "description": _DESCRIPTION,
    },
    "RetryPolicy": {
        "max_attempts": ("Attempts in all, the first included.", [3]),
        "backoff": "How the wait between attempts grows.",
        "base_ms": ("The first wait, in milliseconds.", [100]),
        "max_ms": ("The longest wait, in milliseconds.", [2000]),
    },
    "CircuitBreaker": {
        "failure_threshold": ("Failures in a row that open the circuit.", [5]),
        "reset_s": ("Seconds before a half-open trial call.", [30]),
        "half_open_requests": ("Trial calls allowed while half open.", [1]),
    },
    "ServiceNfr": {
        "latency_p95_ms": ("95th-percentile latency target, in ms.", [200]),
        "latency_p99_ms": ("99th-percentile latency target, in ms.", [500]),
        "throughput_tps": ("Transactions per second the service must sustain.", [500]),
        "availability": ("Availability target in percent.", [99.9]),
        "replicas": "How many instances run, and when to scale.",
        "resources": "CPU and memory requests and limits (Kubernetes quantities).",
        "scaling": "How the service scales, in words.",
    },
    "Resources": {
        "cpu": ("CPU request.", ["500m"]),
        "memory": ("Memory request.", ["512Mi"]),
        "cpu_limit": ("CPU limit.", ["1"]),
        "memory_limit": ("Memory limit.", ["1Gi"]),
    },
    "EventBus": {
        "technology": "The event bus product.",
        "description": _DESCRIPTION,
        "replication_factor": ("Default copies of each topic's data.", [3]),
        "schema_registry": "Whether event schemas are kept in a schema registry.",
        "topics": ("Topics keyed by name (a DNS label).",
                   [{"orders": {"events": ["order.created"], "partitions": 6}}]),
    },
    "Topic": {
        "events": ("The events published on this topic.", [["order.created"]]),
        "description": _DESCRIPTION,
        "partitions": ("The topic's partitions.", [6]),
        "replication_factor": ("Copies of the topic's data. Default: the bus's.", [3]),
        "key": ("The partition key: a payload field of every event on the topic.",
                ["order_id"]),
        "retention": ("How long events are kept.", ["7d", "24h"]),
        "dead_letter": "Whether failed events go to a <topic>.dlq topic. Default: "
                       "`communication.async.dead_letter`.",
    },
    "Infrastructure": {
        "service_discovery": ("How services find each other: a technology, or a mapping.",
                              ["kubernetes-dns", "consul"]),
        "configuration": ("Where configuration lives.", ["kubernetes-configmaps"]),
        "secrets": ("Where secrets live.", ["vault", "kubernetes-secrets"]),
        "logging": ("Central logging.", ["elk", "loki"]),
        "monitoring": ("Metrics and alerting.", ["prometheus"]),
        "tracing": ("Distributed tracing.", ["jaeger", "tempo"]),
    },
    "Component": {
        "technology": ("The product (free text).", ["prometheus"]),
        "purpose": "What it is for, in a sentence.",
        "description": _DESCRIPTION,
    },
    "Monitoring": {
        "technology": ("The product (free text).", ["prometheus"]),
        "purpose": "What it is for, in a sentence.",
        "description": _DESCRIPTION,
        "dashboards": ("Where dashboards live.", ["grafana"]),
        "alerting": ("How alerts reach people.", ["alertmanager"]),
    },
    "Communication": {
        "sync": "Defaults for synchronous calls (`depends_on`).",
        "async": "Defaults for event delivery.",
    },
    "SyncPolicy": {
        "protocols": "Protocols services call each other with.",
        "timeout_ms": ("Default timeout per call in milliseconds.", [2000]),
        "retries": _RETRIES,
        "circuit_breaker": "Default circuit breaker for every call.",
        "description": _DESCRIPTION,
    },
    "AsyncPolicy": {
        "delivery": "The delivery guarantee consumers can rely on.",
        "retries": _RETRIES,
        "dead_letter": "Whether topics have dead-letter topics by default.",
        "description": _DESCRIPTION,
    },
    "RulesConfig": {
        "select": ("Check only these rules: codes, slugs or code prefixes.", [["AG3", "AG4"]]),
        "severity": ("Override rules' default severities: code or slug to severity.",
                     [{"AG205": "error"}]),
        "ignore": "Findings to ignore, each with the rule, where and why.",
    },
    "Ignore": {
        "rule": ("The rule code or slug.", ["AG301"]),
        "path": ("Where: a catalog path; omit to ignore everywhere.",
                 ["services.legacy-billing"]),
        "reason": ("Why (a finding reminds you when this is missing).",
                   ["Migrating off the shared database in Q3"]),
        "until": ("The date the ignore expires.", ["2027-01-31"]),
    },
    "Smoke": {
        "description": _DESCRIPTION,
        "steps": ("The flow's steps, in order. Path parameters are filled from the answers "
                  "of the calls before (`{id}`: the first call's `id`; `{customerId}`: its "
                  "`customer_id`).",
                  [[{"call": "order-service POST /api/v1/orders"},
                    {"call": "order-service PUT /api/v1/orders/{id}/status",
                     "body": {"status": "shipped"}},
                    {"wait": "order-service GET /api/v1/orders/{id}",
                     "until": {"status": "shipped"}},
                    {"wait": "notification-service GET "
                             "/api/v1/notifications/customer/{customerId}"}]]),
    },
    "SmokeStep": {
        "call": ("A request that must succeed, as `<service> METHOD /path`.",
                 ["order-service POST /api/v1/orders"]),
        "wait": ("A GET polled until its answer shows `until` (without `until`: until it "
                 "answers a non-empty body), as `<service> GET /path`.",
                 ["order-service GET /api/v1/orders/{id}"]),
        "body": ("The JSON body of a `call`; default: an example of the endpoint's request "
                 "model.", [{"status": "shipped"}]),
        "until": ("Field values the `wait` answer must show.", [{"status": "shipped"}]),
    },
}

# Defaults the resolved model applies whatever else the catalog says; the others
# (timeouts, retries, dead letters...) come from `communication` and are described above.
DEFAULTS: dict[str, dict[str, object]] = {
    "Service": {"public": True},
}
