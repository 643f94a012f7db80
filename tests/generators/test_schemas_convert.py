"""JSON Schema from catalog fields: the conversion the spec (and later service) generators share."""

from __future__ import annotations

from typing import Any

import pytest

from archgen.generators.schemas import (
    SchemaContext,
    component_names,
    field_schema,
    type_schema,
)
from archgen.model.catalog import FieldSpec
from archgen.model.fieldtypes import parse_type
from archgen.model.resolved import Field

CTX = SchemaContext("#/components/schemas/", {"Item": "Item", "Order": "ShopOrder"})


def field(type_text: str, **spec: Any) -> Field:
    return Field("f", parse_type(type_text), bool(spec.pop("required", True)),
                 FieldSpec(type=type_text, **spec))


@pytest.mark.parametrize(("type_text", "expected"), [
    ("str", {"type": "string"}),
    ("int", {"type": "integer"}),
    ("float", {"type": "number"}),
    ("bool", {"type": "boolean"}),
    ("uuid", {"type": "string", "format": "uuid"}),
    ("date", {"type": "string", "format": "date"}),
    ("datetime", {"type": "string", "format": "date-time"}),
    ("Order", {"$ref": "#/components/schemas/ShopOrder"}),
    ("list[Item]", {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}),
    ("dict[str, list[int]]", {"type": "object", "additionalProperties": {
        "type": "array", "items": {"type": "integer"}}}),
])
def test_type_schemas(type_text: str, expected: dict[str, Any]) -> None:
    assert type_schema(parse_type(type_text), CTX) == expected


def test_decimal_is_a_string_that_keeps_its_digits() -> None:
    schema = type_schema(parse_type("decimal"), CTX)
    assert schema["type"] == "string"
    assert schema["format"] == "decimal"


def test_constraints_map_to_json_schema_keywords() -> None:
    schema = field_schema(field("str", min_length=2, max_length=5, pattern="^a",
                                format="email", description="d", default="ab"), CTX)
    assert schema == {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^a",
                      "format": "email", "description": "d", "default": "ab"}


def test_lengths_of_lists_and_dicts_count_items() -> None:
    assert field_schema(field("list[int]", min_length=1, max_length=3), CTX) == {
        "type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3}
    assert field_schema(field("dict[str, int]", max_length=3), CTX)["maxProperties"] == 3


def test_integral_bounds_stay_integers_and_fractions_stay_floats() -> None:
    schema = field_schema(field("float", minimum=1, maximum=2.5), CTX)
    assert schema == {"type": "number", "minimum": 1, "maximum": 2.5}
    assert isinstance(schema["minimum"], int)


def test_enum_is_kept_in_order() -> None:
    assert field_schema(field("str", enum=["b", "a"]), CTX)["enum"] == ["b", "a"]


def test_ref_with_constraints_is_wrapped_so_draft_07_applies_them() -> None:
    assert field_schema(field("Item", description="the item"), CTX) == {
        "allOf": [{"$ref": "#/components/schemas/Item"}], "description": "the item"}


def test_unknown_model_gives_a_valid_schema_that_says_so() -> None:
    schema = type_schema(parse_type("Missing"), CTX)
    assert schema["type"] == "object"
    assert "Missing" in schema["description"]


def test_component_names_prefix_only_shared_model_names() -> None:
    names = component_names({"order-service": ["Order", "Line"], "audit-service": ["Order"]})
    assert names == {"order-service": {"Order": "OrderServiceOrder", "Line": "Line"},
                     "audit-service": {"Order": "AuditServiceOrder"}}


def test_component_names_number_a_collision_after_prefixing() -> None:
    # Refusing stopped every output, the specs included; a number keeps both.
    names = component_names({"order-service": ["Order", "OrderServiceOrder"],
                             "b-service": ["Order"]})
    assert names["order-service"] == {"Order": "OrderServiceOrder",
                                      "OrderServiceOrder": "OrderServiceOrder2"}
    assert names["b-service"] == {"Order": "BServiceOrder"}
