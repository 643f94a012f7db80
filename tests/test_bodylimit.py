"""The request body limit a route gets, derived from its request model."""

from __future__ import annotations

from archgen.catalog import load_catalog_text
from archgen.model.bodylimit import (
    DEFAULT_BODY_LIMIT,
    MAX_BODY_LIMIT,
    MIN_BODY_LIMIT,
    request_body_limit,
)
from archgen.model.fieldtypes import parse_type
from archgen.model.resolved import Model

CATALOG = """\
archgen: 1
system: {name: shop}
services:
  order-service:
    models:
      Line: {sku: {type: str, max_length: 40}, quantity: int}
      Order:
        customer_id: uuid
        lines: {type: "list[Line]", max_length: 5000}
        note: {type: str, required: false, max_length: 500}
        state: {enum: [open, closed]}
      Open: {note: str}
      Unbounded: {lines: "list[Line]"}
      Mapped: {tags: {type: "dict[str, int]", max_length: 3}}
      Loop: {next: {type: Loop, required: false}, name: {type: str, max_length: 3}}
    endpoints:
      GET /api/v1/orders: List orders
"""


def _models() -> dict[str, Model]:
    loaded = load_catalog_text(CATALOG)
    assert loaded.catalog is not None
    return dict(loaded.catalog.services["order-service"].models)


def test_a_bounded_model_gets_room_for_its_largest_valid_body() -> None:
    """5,000 lines of a 40-character sku: far over the floor, under no guess."""
    models = _models()
    limit = request_body_limit(parse_type("Order"), models)
    assert limit > DEFAULT_BODY_LIMIT  # the model allows more than the default
    assert limit % 1024 == 0
    # Every character may arrive \\u-escaped: the largest valid body fits.
    assert limit >= 5000 * len('{"sku":"","quantity":-9223372036854775808},') + 5000 * 40 * 12
    assert request_body_limit(parse_type("list[Line]"), models) == DEFAULT_BODY_LIMIT


def test_small_or_absent_bodies_get_the_floor() -> None:
    models = _models()
    assert request_body_limit(parse_type("Line"), models) == MIN_BODY_LIMIT
    assert request_body_limit(None, models) == MIN_BODY_LIMIT


def test_no_model_lifts_a_route_past_the_ceiling() -> None:
    text = CATALOG.replace("max_length: 5000", "max_length: 1000000000")
    loaded = load_catalog_text(text)
    assert loaded.catalog is not None
    models = loaded.catalog.services["order-service"].models
    assert request_body_limit(parse_type("Order"), models) == MAX_BODY_LIMIT


def test_anything_unbounded_gets_the_system_default() -> None:
    models = _models()
    for text in ("Open", "Unbounded", "Mapped", "Loop", "Missing", "str", "list[int]"):
        assert request_body_limit(parse_type(text), models) == DEFAULT_BODY_LIMIT, text
