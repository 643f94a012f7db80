"""Messages a new user needs: did-you-mean for names and vocabularies, each said once."""

from __future__ import annotations

import pytest

from archgen.findings import Finding
from archgen.reporting.common import finding_line
from tests.rules.helpers import report_of

_HEAD = "archgen: 1\nsystem: {name: shop}\n"
CATALOG = _HEAD + """\
gateway:
  technology: Kong
  aggregations:
    GET /api/v1/s: [book-service GET /api/v1/books]
mesh: {technology: istoi}
services:
  order-service:
    depends_on: {book-service: {protocol: http2}}
    data_store: {type: relational, technology: postgres}
    consumes: {order.create: Do}
    endpoints:
      GET /api/v1/o: {response: Ordr, emits: [order.creatd]}
    publishes: {order.created: {payload: {id: uuid}}}
    models: {Order: {id: uuid}}
  books-service: {}
"""


def _by_code() -> dict[str, Finding]:
    return {f.code: f for f in report_of(CATALOG).findings}


@pytest.mark.parametrize(("code", "suggestion"), [
    ("AG104", "kong"), ("AG108", "books-service"), ("AG202", "istio"),
    ("AG308", "books-service"), ("AG311", "http"), ("AG404", "postgresql"),
    ("AG502", "order.created"), ("AG507", "order.created"), ("AG802", "Order"),
])
def test_did_you_mean(code: str, suggestion: str) -> None:
    assert f"did you mean `{suggestion}`?" in finding_line(_by_code()[code])


def test_known_values_are_listed_once() -> None:
    line = finding_line(_by_code()["AG404"])
    assert line.count("postgresql, mongodb, redis, sqlite") == 1


def test_no_suggestion_when_nothing_is_close() -> None:
    report = report_of(_HEAD + "services:\n  a: {data_store: {technology: oracle}}\n")
    [finding] = [f for f in report.findings if f.code == "AG404"]
    assert "did you mean" not in finding.hint and "postgresql" in finding.hint


def test_literal_values_suggest_the_closest() -> None:
    report = report_of(_HEAD + "mesh: {mtls: Strict}\nservices: {}\n")
    [finding] = [f for f in report.findings if f.code == "AG014"]
    assert finding.hint == "did you mean `strict`?"


def test_a_reaction_type_mismatch_names_the_enum_of_an_enum_field() -> None:
    """An enum field is not any `str`: the message names its values, or it is not true."""
    report = report_of(_HEAD + """\
event_bus: {technology: kafka, topics: {orders: {events: [order.created]}}}
services:
  a: {publishes: {order.created: {payload: {id: uuid, note: str}}}}
  b:
    models: {Payment: {id: uuid, status: {enum: [new, done]}}}
    consumes:
      order.created: {create: Payment, set: {status: paid}, copy: {status: note}}
""")
    messages = sorted(f.message for f in report.findings if f.code == "AG511")
    assert len(messages) == 2, messages
    assert all("(enum: new, done)" in m and "(str)" not in m.split("into")[-1]
               for m in messages), messages
