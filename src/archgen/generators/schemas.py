"""JSON Schema from catalog models and fields.

Shared by the OpenAPI and AsyncAPI generators, and meant for the service
generator of a later issue: one place decides how `decimal` or `max_length`
look on the wire. The schemas use only keywords that mean the same in JSON
Schema 2020-12 (OpenAPI 3.1) and draft-07 (AsyncAPI 3.0's default format).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from archgen.generators.common import pascal
from archgen.model.catalog import FieldSpec
from archgen.model.fieldtypes import TypeRef
from archgen.model.resolved import Field, Model, Service

Schema = dict[str, Any]

# Decimals travel as strings: binary floats would lose cents, and pydantic
# serializes Decimal to a JSON string by default.
SCALAR_SCHEMAS: Mapping[str, Schema] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "decimal": {"type": "string", "format": "decimal", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"},
    "uuid": {"type": "string", "format": "uuid"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
}

_LENGTH_KEYWORDS = {"list": ("minItems", "maxItems"), "dict": ("minProperties", "maxProperties")}


@dataclass(frozen=True)
class SchemaContext:
    """Where model references point: `ref_base` + the component name of each known model."""

    ref_base: str
    names: Mapping[str, str]

    def ref(self, model: str) -> Schema:
        if model in self.names:
            return {"$ref": self.ref_base + self.names[model]}
        # Dangling references are the validator's to report; the document must stay valid.
        return {"type": "object",
                "description": f"Model {model} is not defined in this service's models."}


def type_schema(ref: TypeRef, ctx: SchemaContext) -> Schema:
    if ref.kind == "scalar":
        return dict(SCALAR_SCHEMAS[ref.name])
    if ref.kind == "model":
        return ctx.ref(ref.name)
    assert ref.item is not None  # containers always have an item type (fieldtypes.parse_type)
    item = type_schema(ref.item, ctx)
    if ref.kind == "list":
        return {"type": "array", "items": item}
    return {"type": "object", "additionalProperties": item}


def field_schema(field: Field, ctx: SchemaContext) -> Schema:
    base = type_schema(field.type, ctx)
    extra = constraints(field.spec, field.type.kind)
    if "$ref" in base and extra:
        # Draft-07 ignores keywords beside $ref: wrap it so constraints still apply.
        return {"allOf": [base], **extra}
    return {**base, **extra}


def constraints(spec: FieldSpec, kind: str) -> Schema:
    out: Schema = {}
    low, high = _LENGTH_KEYWORDS.get(kind, ("minLength", "maxLength"))
    pairs: list[tuple[str, Any]] = [
        ("description", spec.description), ("enum", spec.enum), ("default", spec.default),
        ("minimum", _number(spec.minimum)), ("maximum", _number(spec.maximum)),
        (low, spec.min_length), (high, spec.max_length),
        ("pattern", spec.pattern), ("format", spec.format),
    ]
    for key, value in pairs:
        if value is not None:
            out[key] = list(value) if isinstance(value, list) else value
    return out


def _number(value: float | None) -> int | float | None:
    # `minimum: 1` is read as 1.0; write it back as the integer users wrote.
    if value is not None and value.is_integer():
        return int(value)
    return value


def object_schema(fields: Sequence[Field], ctx: SchemaContext) -> Schema:
    schema: Schema = {"type": "object",
                      "properties": {f.name: field_schema(f, ctx) for f in fields}}
    required = [f.name for f in fields if f.required]
    if required:
        schema["required"] = required
    return schema


def model_schema(model: Model, ctx: SchemaContext) -> Schema:
    return object_schema(model.fields, ctx)


def reachable_models(service: Service, roots: Iterable[TypeRef]) -> list[str]:
    """The service's models that `roots` use, directly or through other models, sorted."""
    seen: set[str] = set()
    todo = [name for root in roots for name in root.model_names()]
    while todo:
        name = todo.pop()
        if name in seen or name not in service.models:
            continue
        seen.add(name)
        todo.extend(service.models[name].model_refs())
    return sorted(seen)


def component_names(needed: Mapping[str, Sequence[str]]) -> dict[str, dict[str, str]]:
    """Unique component names for models of several services: {service: {model: name}}.

    A model name only one service uses keeps its name; one that several services
    define gets the service as prefix (`OrderServiceOrder`), so that two services'
    `Order` never silently become one schema; a name still taken gets a number.
    """
    users: dict[str, list[str]] = {}
    for service, models in needed.items():
        for model in models:
            users.setdefault(model, []).append(service)
    names: dict[str, dict[str, str]] = {service: {} for service in needed}
    taken: dict[str, tuple[str, str]] = {}
    for model in sorted(users):
        shared = len(users[model]) > 1
        for service in sorted(users[model]):
            name = pascal(service) + model if shared else model
            # `OrderService` + `Order` can meet a model named `OrderServiceOrder`: number
            # the later one rather than merge the two or stop every output.
            base, n = name, 1
            while name in taken:
                n += 1
                name = f"{base}{n}"
            taken[name] = (service, model)
            names[service][model] = name
    return names


def component_schemas(service: Service, models: Iterable[str],
                      ctx: SchemaContext) -> dict[str, Schema]:
    return {ctx.names[m]: model_schema(service.models[m], ctx) for m in models}
