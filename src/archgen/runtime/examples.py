"""Example request bodies from the catalog's models, for the smoke test and the load test."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from archgen.model.fieldtypes import TypeRef
from archgen.model.resolved import Field, Model

_STRING_TRIES = ("EUR", "DE", "dev", "A", "a", "1", "dev-1", "x" * 8)


def example(ref: TypeRef, models: Mapping[str, Model], depth: int = 0) -> Any:
    """A value of type `ref` that the generated service's validation accepts."""
    if ref.kind == "list":
        return [] if depth > 3 or ref.item is None else [example(ref.item, models, depth + 1)]
    if ref.kind == "dict":
        return {}
    if ref.kind == "model":
        model = models.get(ref.name)
        return {} if model is None or depth > 3 else example_object(model, models, depth + 1)
    return _scalar(ref.name)


def example_object(model: Model, models: Mapping[str, Model], depth: int = 0) -> dict[str, Any]:
    return {f.name: _field(f, models, depth) for f in model.fields if f.required}


def _field(field: Field, models: Mapping[str, Model], depth: int) -> Any:
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
    return example(field.type, models, depth)


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


def _scalar(name: str) -> Any:
    return {"str": "dev", "int": 1, "float": 1.5, "bool": False, "decimal": "10.50",
            "uuid": str(uuid.uuid4()), "date": "2026-01-01",
            "datetime": "2026-01-01T00:00:00Z"}.get(name, "dev")
