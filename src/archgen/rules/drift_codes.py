"""The drift codes: what `archgen drift` reports, documented like the validator's rules.

Numbered after the `archgen diff` code of the same contract (AGX101 an
endpoint the catalog declares and the service does not serve, as AGD101 an
endpoint removed): AGX1xx endpoints, AGX2xx models and fields, AGX3xx topics,
consumer groups and event payloads, AGX4xx service-to-service calls, AGX6xx
the deployment against `nfr`; x00 codes say a part could not be observed,
x90 codes are informational.
"""

from __future__ import annotations

import re

from archgen.findings import Severity
from archgen.rules.base import Rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

APIS = "Drift: served APIs"
MODELS = "Drift: served models and fields"
EVENTS = "Drift: topics, consumer groups and event payloads"
CALLS = "Drift: service-to-service calls"
DEPLOYMENT = "Drift: deployment against nfr"


def _code(code: str, slug: str, title: str, severity: Severity, section: str,
          explanation: str, fix: str) -> Rule:
    return Rule(code, slug, title, severity, section, explanation, fix)


_CODES = (
    _code("AGX100", "api-unreadable", "A service's OpenAPI document cannot be read", ERROR,
          APIS, "The service does not answer `GET /openapi.json` with a JSON document: it is "
          "down, or it is not the service the catalog describes.",
          "Start the service (or point --url at it) and run drift again."),
    _code("AGX101", "endpoint-not-served", "A declared endpoint is not served", ERROR, APIS,
          "The catalog lists the endpoint but the running service's OpenAPI has no such "
          "operation: its callers get 404 or 405.",
          "Deploy the version that serves it, or remove it from the catalog."),
    _code("AGX103", "served-status-differs", "An endpoint answers another success status",
          ERROR, APIS, "Clients check the status code the catalog promises.",
          "Serve the catalog's status, or change `status` in the catalog."),
    _code("AGX110", "served-request-differs", "An endpoint takes another request body",
          ERROR, APIS, "The running service expects a different body than the catalog "
          "declares: callers written from the catalog are rejected.",
          "Serve the catalog's request type, or change `request` in the catalog."),
    _code("AGX111", "served-response-differs", "An endpoint returns another response body",
          ERROR, APIS, "Callers parse the shape the catalog declares.",
          "Serve the catalog's response type, or change `response` in the catalog."),
    _code("AGX190", "endpoint-not-declared", "A served endpoint is not in the catalog",
          WARNING, APIS, "A route the team added to the service: nobody reviewed it as part "
          "of the architecture, the gateway does not route it and `archgen diff` cannot "
          "protect its callers.",
          "Add the endpoint to the service's `endpoints`, or remove the route."),
    _code("AGX201", "field-not-served", "A declared field is missing from a served model",
          ERROR, MODELS, "The served schema of the model lacks a field the catalog declares.",
          "Serve the field, or remove it from the model in the catalog."),
    _code("AGX202", "field-not-declared", "A served model has a field the catalog lacks",
          WARNING, MODELS, "The running service's schema carries a field no catalog model "
          "declares.", "Add the field to the model, or stop serving it."),
    _code("AGX203", "field-differs", "A served field differs from its declaration", ERROR,
          MODELS, "Type, requiredness, enum or constraints of the served field are not the "
          "catalog's.", "Make the service match the catalog, or change the field there."),
    _code("AGX300", "broker-unreadable", "The broker cannot be read", ERROR, EVENTS,
          "Topics, consumer groups and messages could not be listed.",
          "Check the broker address (--broker) and that it runs."),
    _code("AGX301", "topic-not-declared", "A topic on the broker is not in the catalog",
          WARNING, EVENTS, "Someone created or publishes to a topic the catalog does not "
          "route any event through.",
          "Declare the topic under `event_bus.topics` (with its events), or delete it."),
    _code("AGX302", "topic-missing", "A declared topic does not exist on the broker", ERROR,
          EVENTS, "Producers of its events fail, or create it with broker defaults.",
          "Create the topic (partitions and retention from the catalog)."),
    _code("AGX303", "group-not-declared", "A consumer group no service of the catalog runs",
          WARNING, EVENTS, "Something consumes the topic as a group the catalog does not "
          "know: its events have a consumer `archgen diff` does not protect.",
          "Declare the consumer as a service that `consumes` the events, or stop it."),
    _code("AGX304", "group-reads-undeclared-topic", "A service's consumer group reads a "
          "topic its service does not consume", WARNING, EVENTS,
          "The group of a catalog service has a subscription the catalog does not route to "
          "it.", "Add the topic's events to the service's `consumes`, or remove the "
          "subscription."),
    _code("AGX310", "payload-breaks-schema", "An event on the wire breaks its payload schema",
          ERROR, EVENTS, "A sampled message of the event does not validate against the "
          "payload schema the catalog declares (the AsyncAPI document's): its consumers "
          "fail on it.", "Fix the producer named in the finding, or evolve the payload in "
          "the catalog (and check `archgen diff`)."),
    _code("AGX311", "event-not-declared-on-topic", "A message of an undeclared event type "
          "is on a topic", WARNING, EVENTS, "A sampled message's CloudEvents type is no event "
          "the catalog routes through the topic.",
          "Declare the event on the topic, or stop publishing it there."),
    _code("AGX312", "producer-not-declared", "A service publishes an event it does not "
          "declare", WARNING, EVENTS, "A sampled message's CloudEvents source is a service "
          "of the catalog that does not list the event under `publishes`: its consumers "
          "depend on a producer `archgen diff` does not know.",
          "Add the event to the service's `publishes`, or stop publishing it there."),
    _code("AGX400", "metrics-unreadable", "A service's caller counters cannot be read",
          ERROR, CALLS, "The service does not answer its metrics path, so its callers are "
          "unknown.", "Start the service (or point --url at it) and run drift again."),
    _code("AGX401", "call-not-declared", "A service calls another without depends_on",
          ERROR, CALLS, "The callee counted requests from the caller, but the caller's "
          "`depends_on` does not name it: the call has no timeout, retry or circuit-breaker "
          "budget in the catalog, and the callee's changes do not know it as a caller.",
          "Add the callee to the caller's `depends_on`, or remove the call."),
    _code("AGX402", "caller-unidentified", "A service received calls from an unidentified "
          "caller", WARNING, CALLS, "Requests that neither came through the gateway nor "
          "carried the caller header the generated upstream client sends: a raw HTTP call "
          "added in some service's handler, bypassing the client and its budget.",
          "Make the call through the generated upstream client (and declare it in "
          "`depends_on`)."),
    _code("AGX403", "caller-unknown", "A service received calls from a caller the catalog "
          "does not know", WARNING, CALLS,
          "The caller header names no service of the catalog.",
          "Add the caller to the catalog, or stop the calls."),
    _code("AGX490", "declared-call-not-seen", "A declared dependency was not called in the "
          "observation window", INFO, CALLS,
          "No request from the caller reached the callee while the counters ran: the "
          "dependency may be stale, or the traffic did not exercise it.",
          "Remove the dependency if it is gone; else nothing to do."),
    _code("AGX600", "cluster-unreadable", "The Kubernetes namespace cannot be read", ERROR,
          DEPLOYMENT, "The API server did not answer the workload listing.",
          "Check the kubeconfig, the context and the namespace."),
    _code("AGX601", "workload-missing", "A service of the catalog has no Deployment", ERROR,
          DEPLOYMENT, "No Deployment of that name runs in the namespace.",
          "Deploy the service (the Helm chart of `archgen generate`)."),
    _code("AGX602", "replicas-outside-nfr", "Replicas outside the catalog's nfr.replicas",
          WARNING, DEPLOYMENT, "The Deployment or its HorizontalPodAutoscaler runs with "
          "another replica range than `nfr.replicas` declares: the availability and "
          "throughput targets were sized for the declared one.",
          "Redeploy with the catalog's replicas, or change `nfr.replicas`."),
    _code("AGX603", "resources-differ", "Container resources differ from nfr.resources",
          WARNING, DEPLOYMENT, "Requests or limits of the running container are not the "
          "catalog's `nfr.resources`.",
          "Redeploy with the catalog's resources, or change `nfr.resources`."),
    _code("AGX604", "probe-differs", "A health probe is missing or checks another path",
          ERROR, DEPLOYMENT, "Without the liveness and readiness probes on the service's "
          "health paths, Kubernetes routes traffic to pods that are not ready and never "
          "restarts hung ones.", "Redeploy with the generated chart's probes."),
    _code("AGX690", "workload-not-declared", "A Deployment no catalog service describes",
          INFO, DEPLOYMENT, "The namespace runs a workload the catalog does not list.",
          "Add it to the catalog if it is part of the system."),
)

DRIFT_CODES: dict[str, Rule] = {r.code: r for r in _CODES}
DRIFT_SLUGS: dict[str, str] = {r.slug: r.code for r in DRIFT_CODES.values()}
DRIFT_SECTIONS = (APIS, MODELS, EVENTS, CALLS, DEPLOYMENT)

_PREFIX = re.compile(r"^AGX[0-9]{0,3}$")


def lookup(code_or_slug: str) -> Rule | None:
    text = code_or_slug.strip()
    return DRIFT_CODES.get(text.upper()) or DRIFT_CODES.get(DRIFT_SLUGS.get(text.lower(), ""))


def matches(selector: str) -> list[str]:
    """Drift codes a selector names: a code, a slug, a prefix (AGX1, AGX30) or ALL."""
    text = selector.strip()
    if text.upper() == "ALL":
        return list(DRIFT_CODES)
    found = lookup(text)
    if found is not None:
        return [found.code]
    if _PREFIX.match(text.upper()):
        return [c for c in DRIFT_CODES if c.startswith(text.upper())]
    return []
