"""Building blocks of the raw catalog models: sections, short forms, value types."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    model_serializer,
    model_validator,
)
from pydantic_core import core_schema

from archgen.model import names
from archgen.model.fieldtypes import parse_type

EXTENSIONS_KEY = "x-"


def _allow_x_keys(schema: dict[str, Any]) -> None:
    """In the JSON Schema, `x-` keys are allowed wherever unknown keys are not."""
    schema.get("properties", {}).pop(EXTENSIONS_KEY, None)
    schema["patternProperties"] = {"^x-": {}}


class Section(BaseModel):
    """A mapping of the catalog: unknown keys are errors, `x-` keys are kept aside."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_allow_x_keys)

    extensions: dict[str, Any] = Field(default_factory=dict, alias=EXTENSIONS_KEY, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _collect_extensions(cls, data: Any) -> Any:
        return _split_extensions(data)

    @model_serializer(mode="wrap")
    def _dump_extensions(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if self.extensions and isinstance(data, dict):
            data.update(self.extensions)  # back where users wrote them: x- keys
        return data


def _split_extensions(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    ext = {k: v for k, v in data.items() if isinstance(k, str) and k.startswith("x-")}
    if not ext:
        return data
    rest: dict[Any, Any] = {k: v for k, v in data.items() if k not in ext}
    rest[EXTENSIONS_KEY] = ext
    return rest


@dataclass(frozen=True, eq=False)  # hashable by identity: typing hashes Annotated metadata
class ShortForm:
    """Accept a short form (a string, a number, null, a list) for a long-form mapping.

    The short form is expanded before validation, so errors always speak of the
    long form's fields, and the JSON Schema says `anyOf: [short, long]`.
    """

    short_schema: dict[str, Any]
    expand: Callable[[Any], Any]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.expand, handler(source))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema,
                                     handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return {"anyOf": [self.short_schema, handler(schema)]}


def short(schema: dict[str, Any], kind: type | tuple[type, ...],
          to: Callable[[Any], Any]) -> ShortForm:
    def expand(value: Any) -> Any:
        bool_mismatch = isinstance(value, bool) and bool not in _as_tuple(kind)
        if isinstance(value, kind) and not bool_mismatch:
            return to(value)
        return value
    return ShortForm(schema, expand)


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _named(rule: names.NameRule) -> Any:
    return Annotated[
        str,
        AfterValidator(rule.check),
        WithJsonSchema({"type": "string", "pattern": f"^{rule.pattern}$"}),
    ]


DnsLabel = _named(names.DNS_LABEL)
EventName = _named(names.EVENT_NAME)
ModelName = _named(names.MODEL_NAME)
FieldName = _named(names.FIELD_NAME)
TableName = _named(names.TABLE_NAME)
TierName = _named(names.TIER_NAME)
VersionName = _named(names.VERSION_NAME)
Route = _named(names.ROUTE)
Call = _named(names.CALL)
AggregationCall = _named(names.AGGREGATION_CALL)


def _check_type(value: str) -> str:
    parse_type(value)  # raises ValueError with the reason
    return value


TypeExpr = Annotated[
    str, AfterValidator(_check_type),
    WithJsonSchema({"type": "string", "description":
                    "str int float bool decimal uuid date datetime, list[T], dict[str, T] "
                    "or a model name"}),
]


def _percent(value: Any) -> Any:
    if isinstance(value, str) and value.strip().endswith("%"):
        return value.strip()[:-1]
    return value


Percent = Annotated[
    float, BeforeValidator(_percent), Field(gt=0, le=100),
    WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": 0, "maximum": 100},
                              {"type": "string", "pattern": r"^[0-9.]+%$"}]}),
]

_DURATION = r"[0-9]+(ms|s|m|h|d|w)|forever"


def _check_duration(value: str) -> str:
    if not re.fullmatch(_DURATION, value):
        raise ValueError(f"{value!r} is not a duration: write a number and a unit "
                         "(ms, s, m, h, d, w), e.g. 7d, or `forever`")
    return value


Duration = Annotated[str, AfterValidator(_check_duration),
                     WithJsonSchema({"type": "string", "pattern": f"^({_DURATION})$"})]

_QUANTITY = r"[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|K|M|G|T)?"


def _check_quantity(value: Any) -> str:
    text = str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not re.fullmatch(_QUANTITY, text):
        raise ValueError(f"{value!r} is not a Kubernetes quantity (e.g. 500m, 1, 512Mi, 2Gi)")
    return text


Quantity = Annotated[str, BeforeValidator(_check_quantity),
                     WithJsonSchema({"anyOf": [{"type": "string", "pattern": f"^{_QUANTITY}$"},
                                               {"type": "number", "minimum": 0}]})]

PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
PositiveFloat = Annotated[float, Field(gt=0)]

# Known values of the closed vocabularies: a value outside them loads, and the
# validator says what generation will skip (docs/catalog-format.md, Principles).
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "gateway.technology": ("kong", "envoy", "none"),
    "gateway.auth.type": ("jwt", "oauth2", "none"),
    "mesh.technology": ("istio", "linkerd", "consul", "none"),
    "data_store.type": ("relational", "document", "key-value", "none"),
    "data_store.technology": ("postgresql", "mongodb", "redis", "sqlite"),
    "event_bus.technology": ("kafka",),
    "protocol": ("http", "grpc"),
    "communication.sync.protocols": ("rest", "grpc"),
}


def vocab(key: str) -> WithJsonSchema:
    """JSON Schema of a closed-vocabulary string: known values as examples, any string loads."""
    known = VOCABULARIES[key]
    return WithJsonSchema({
        "type": "string", "examples": list(known),
        "description": f"known values: {', '.join(known)}; others load, and generation skips them",
    })


__all__ = [
    "VOCABULARIES",
    "AggregationCall",
    "Call",
    "DnsLabel",
    "Duration",
    "EventName",
    "FieldName",
    "ModelName",
    "NonNegativeInt",
    "Percent",
    "PositiveFloat",
    "PositiveInt",
    "Quantity",
    "Route",
    "Section",
    "ShortForm",
    "TableName",
    "TierName",
    "TypeExpr",
    "VersionName",
    "short",
    "vocab",
]
