"""Name rules of catalog format 1, each with the sentence users see when it fails."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NameRule:
    what: str
    pattern: str
    explanation: str

    def check(self, value: str) -> str:
        if not re.fullmatch(self.pattern, value):
            raise ValueError(f"{_show(value)} is not a valid {self.what}: {self.explanation}")
        return value


def _show(value: str) -> str:
    text = value if len(value) <= 60 else value[:57] + "..."
    return repr(text)


# RFC 1123 label as Kubernetes checks it, but starting with a letter (the format's rule).
DNS_LABEL = NameRule(
    "DNS label", r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?",
    "lowercase letters, digits and '-', starting with a letter, not ending with '-', "
    "at most 63 characters (e.g. order-service)")
EVENT_NAME = NameRule(
    "event name", r"[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+",
    "<entity>.<past-tense-verb> in lowercase, dot-separated (e.g. order.created)")
MODEL_NAME = NameRule(
    "model name", r"[A-Z][A-Za-z0-9]{0,99}",
    "PascalCase: a capital letter, then letters and digits (e.g. OrderItem)")
FIELD_NAME = NameRule(
    "field name", r"[A-Za-z_][A-Za-z0-9_]{0,99}",
    "letters, digits and '_', not starting with a digit (e.g. customer_id)")
# `schema.table` is how SQL Server and PostgreSQL systems name tables (ordering.orders).
_IDENT = r"[A-Za-z_][A-Za-z0-9_]{0,62}"
TABLE_NAME = NameRule(
    "table name", rf"{_IDENT}(\.{_IDENT})?",
    "letters, digits and '_', not starting with a digit, optionally after a schema and a "
    "dot (e.g. order_items, ordering.orders)")
TIER_NAME = NameRule(
    "rate-limit tier", r"[a-z][a-z0-9_-]{0,62}",
    "lowercase letters, digits, '_' and '-' (e.g. premium)")
VERSION_NAME = NameRule(
    "API version", r"v[0-9]+([a-z0-9.-]*[a-z0-9])?",
    "'v' followed by a number (e.g. v1, v2beta1)")

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_SEGMENT = r"([A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\})"
PATH_PATTERN = rf"/({_SEGMENT}(/{_SEGMENT})*)?"
ROUTE_PATTERN = rf"({'|'.join(HTTP_METHODS)}) {PATH_PATTERN}"
ROUTE = NameRule(
    "route", ROUTE_PATTERN,
    "an HTTP method in capitals, one space and a path of plain segments or "
    "{param} placeholders (e.g. GET /api/v1/orders/{id})")
CALL = NameRule(
    "call", rf"[a-z]([-a-z0-9]{{0,61}}[a-z0-9])? {ROUTE_PATTERN}",
    "a service name, then method and path (e.g. order-service GET /api/v1/orders/{id})")
# A gateway aggregation's call may also take a parameter from an earlier call's answer:
# `{<that call's service>.<field>}` (model/aggregation_calls.py reads it).
_FILLED_SEGMENT = (r"([A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\}"
                   r"|\{[a-z][-a-z0-9]*\.[A-Za-z_][A-Za-z0-9_]*\})")
AGGREGATION_CALL = NameRule(
    "aggregation call",
    rf"[a-z]([-a-z0-9]{{0,61}}[a-z0-9])? ({'|'.join(HTTP_METHODS)}) "
    rf"/({_FILLED_SEGMENT}(/{_FILLED_SEGMENT})*)?",
    "a service name, then method and path; a {param} comes from the aggregation's route, "
    "a {<service>.<field>} from that earlier call's answer (e.g. customer-service GET "
    "/api/v1/customers/{order-service.customer_id})")

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def split_route(route: str) -> tuple[str, str]:
    method, path = route.split(" ", 1)
    return method, path


def path_params(path: str) -> tuple[str, ...]:
    return tuple(_PARAM.findall(path))


def snake(name: str) -> str:
    """`customerId` -> `customer_id` (path parameters vs model field names)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
