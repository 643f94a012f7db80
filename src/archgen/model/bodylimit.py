"""How large a request body a route accepts, derived from its request model.

One rule for every part that enforces it (the gateways per route, the services
themselves): a body larger than the largest valid one is refused with 413
before anyone parses it. The largest valid body is computed from the model's
bounds (string `max_length`, list `max_length`, enums); a model with anything
unbounded (a string or list without `max_length`, a map, a recursive model)
gets the system default. Every limit is at least `MIN_BODY_LIMIT`, which leaves
room for whitespace and for fields the model does not know.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from archgen.model.fieldtypes import TypeRef
from archgen.model.resolved import Field, Model

# A body whose model is unbounded somewhere: the most a route accepts (1 MiB).
DEFAULT_BODY_LIMIT = 1024 * 1024
# The least a route accepts, body or not (64 KiB).
MIN_BODY_LIMIT = 64 * 1024
# The most a route accepts whatever its model allows (256 MiB): a body is held in memory.
MAX_BODY_LIMIT = 256 * 1024 * 1024
# JSON may escape any character: a code point outside the BMP is `\\ud83d\\ude00`.
_BYTES_PER_CHAR = 12
# Characters of the scalars that have no `max_length`, as a client may write them
# (an int64 with its sign, a float's digits and exponent, an ISO datetime with
# its offset and fraction, a decimal's digits).
_SCALAR_CHARS = {"int": 20, "float": 32, "bool": 5, "uuid": 36, "date": 10,
                 "datetime": 40, "decimal": 64}


def request_body_limit(request: TypeRef | None, models: Mapping[str, Model]) -> int:
    """The body limit in bytes of a route whose request body is `request` (None: no body),
    the names resolved in `models` (the service's): a multiple of 1 KiB between
    `MIN_BODY_LIMIT` and `MAX_BODY_LIMIT`, `DEFAULT_BODY_LIMIT` when the model is unbounded."""
    if request is None:
        return MIN_BODY_LIMIT
    largest = _largest(request, models, ())
    if largest is None:
        return DEFAULT_BODY_LIMIT
    return min(MAX_BODY_LIMIT, max(MIN_BODY_LIMIT, -(-largest // 1024) * 1024))


def _largest(ref: TypeRef, models: Mapping[str, Model], seen: tuple[str, ...],
             field: Field | None = None) -> int | None:
    """The largest JSON text of a value of `ref` (bytes), or None when it has no bound."""
    spec = field.spec if field is not None else None
    if ref.kind == "model":
        model = models.get(ref.name)
        if model is None or ref.name in seen:
            return None
        total = 2  # {}
        for f in model.fields:
            value = _largest(f.type, models, (*seen, ref.name), f)
            if value is None:
                return None
            total += _text(len(f.name)) + 2 + value  # "name": value,
        return total
    if ref.kind == "list":
        if spec is None or spec.max_length is None or ref.item is None:
            return None
        item = _largest(ref.item, models, seen)
        return None if item is None else 2 + spec.max_length * (item + 1)
    if ref.kind == "dict":
        return None  # its keys are strings of any length
    if spec is not None and spec.enum:
        return max(len(json.dumps(v)) * _BYTES_PER_CHAR for v in spec.enum)
    if ref.name == "str":
        return None if spec is None or spec.max_length is None else _text(spec.max_length)
    chars = _SCALAR_CHARS.get(ref.name)
    return None if chars is None else _text(chars)


def _text(chars: int) -> int:
    """A JSON string of `chars` characters, every one escaped, with its quotes."""
    return 2 + chars * _BYTES_PER_CHAR
