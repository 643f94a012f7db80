"""Example values from the catalog's models: request bodies for the smoke test and the load
test, the bodies, records and answers of the generated services' tests.

`stable`: every uuid is STABLE_UUID instead of a fresh one, so generated files do not
change from one run to the next."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from archgen.model.fieldtypes import TypeRef
from archgen.model.resolved import Field, Model

_STRING_TRIES = ("EUR", "DE", "dev", "A", "a", "1", "dev-1", "x" * 8)
STABLE_UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def example(ref: TypeRef, models: Mapping[str, Model], depth: int = 0, *,
            stable: bool = False) -> Any:
    """A value of type `ref` that the generated service's validation accepts."""
    if ref.kind == "list":
        return [] if depth > 3 or ref.item is None else [
            example(ref.item, models, depth + 1, stable=stable)]
    if ref.kind == "dict":
        return {}
    if ref.kind == "model":
        model = models.get(ref.name)
        return {} if model is None or depth > 3 else example_object(model, models, depth + 1,
                                                                    stable=stable)
    return _scalar(ref.name, stable)


def example_object(model: Model, models: Mapping[str, Model], depth: int = 0, *,
                   stable: bool = False) -> dict[str, Any]:
    return example_fields(model.fields, models, depth, stable=stable)


def example_fields(fields: Iterable[Field], models: Mapping[str, Model], depth: int = 0, *,
                   stable: bool = False) -> dict[str, Any]:
    """Each required field (an event's payload, a model's fields) with an example value."""
    return {f.name: example_field(f, models, depth, stable=stable) for f in fields if f.required}


def example_field(field: Field, models: Mapping[str, Model], depth: int = 0, *,
                  stable: bool = False) -> Any:
    """A value of `field` its constraints (default, enum, bounds, pattern) accept."""
    spec = field.spec
    if spec.default is not None:
        return spec.default
    if spec.enum:
        return spec.enum[0]
    if field.type.kind == "scalar" and field.type.name in ("int", "float", "decimal"):
        low = spec.minimum if spec.minimum is not None else 1
        if field.type.name == "int":
            return int(low)
        number = round(float(low) + 10.5, 2)
        # Decimals travel as strings in JSON (the generated models say so: no float rounding).
        return f"{number:.2f}" if field.type.name == "decimal" else number
    if field.type.kind == "scalar" and field.type.name == "str":
        return _string(spec.pattern, spec.format, spec.min_length, spec.max_length)
    return example(field.type, models, depth, stable=stable)


def _string(pattern: str | None, fmt: str | None, min_length: int | None,
            max_length: int | None) -> str:
    if fmt == "email":
        return "dev@example.com"
    for candidate in _STRING_TRIES:
        if pattern and not re.fullmatch(pattern, candidate):
            continue
        if min_length is not None and len(candidate) < min_length:
            continue
        if max_length is not None and len(candidate) > max_length:
            continue
        return candidate
    return "x" * max(1, min_length or 1)


def _scalar(name: str, stable: bool = False) -> Any:
    return {"str": "dev", "int": 1, "float": 1.5, "bool": False, "decimal": "10.50",
            "uuid": STABLE_UUID if stable else str(uuid.uuid4()), "date": "2026-01-01",
            "datetime": "2026-01-01T00:00:00Z"}.get(name, "dev")
