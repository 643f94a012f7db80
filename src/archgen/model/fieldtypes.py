"""The field-type shorthand of `models` and `payload`: `str`, `list[Order]`, ...

Parsed into a small tree. Unknown model names stay as names here; the resolved
model and the rules decide whether they exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from archgen.limits import MAX_TYPE_DEPTH

SCALAR_TYPES = ("str", "int", "float", "bool", "decimal", "uuid", "date", "datetime")

_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[\[\],]))")


@dataclass(frozen=True, slots=True)
class TypeRef:
    """kind: scalar | model | list | dict. `name` for scalar/model, `item` for containers."""

    kind: str
    name: str = ""
    item: TypeRef | None = None

    def __str__(self) -> str:
        if self.kind == "list":
            return f"list[{self.item}]"
        if self.kind == "dict":
            return f"dict[str, {self.item}]"
        return self.name

    def model_names(self) -> tuple[str, ...]:
        if self.kind == "model":
            return (self.name,)
        return self.item.model_names() if self.item else ()


# Catalogs repeat a few type texts thousands of times and a TypeRef is immutable:
# parse each text once (failures are not cached; they raise every time).
@lru_cache(maxsize=4096)
def parse_type(text: str) -> TypeRef:
    """Parse a type expression; raises ValueError with a message users can act on."""
    tokens = _tokenize(text)
    depth = sum(1 for t in tokens if t == "[")
    if depth > MAX_TYPE_DEPTH:
        # Checked before parsing: the parser, the spec generators and the YAML
        # emitter all recurse once per level.
        raise ValueError(f"type nested {depth} levels deep; the limit is {MAX_TYPE_DEPTH} "
                         "(name the inner type as a model instead)")
    ref, rest = _parse(tokens, text)
    if rest:
        raise ValueError(f"unexpected {rest[0]!r} in type {text!r}")
    return ref


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        match = _TOKEN.match(stripped, pos)
        if not match:
            raise ValueError(
                f"cannot read type {text!r}: use {', '.join(SCALAR_TYPES)}, "
                "list[T], dict[str, T] or a model name")
        tokens.append(match.group("name") or match.group("punct"))
        pos = match.end()
    if not tokens:
        raise ValueError("empty type")
    return tokens


def _parse(tokens: list[str], text: str) -> tuple[TypeRef, list[str]]:
    head, rest = tokens[0], tokens[1:]
    if head in ("list", "dict") and rest[:1] == ["["]:
        rest = rest[1:]
        if head == "dict":
            if rest[:2] != ["str", ","]:
                raise ValueError(f"in {text!r}: dict keys are always str: write dict[str, T]")
            rest = rest[2:]
        if not rest:
            raise ValueError(f"unclosed '[' in type {text!r}")
        item, rest = _parse(rest, text)
        if rest[:1] != ["]"]:
            raise ValueError(f"missing ']' in type {text!r}")
        return TypeRef(head, item=item), rest[1:]
    if head in SCALAR_TYPES:
        return TypeRef("scalar", head), rest
    if head in ("[", "]", ","):
        raise ValueError(f"unexpected {head!r} in type {text!r}")
    if head in ("list", "dict"):
        raise ValueError(f"{head} needs an item type: {head}[...] in {text!r}")
    if not head[0].isupper():
        raise ValueError(
            f"unknown type {head!r} in {text!r}: use {', '.join(SCALAR_TYPES)}, "
            "list[T], dict[str, T] or a PascalCase model name")
    return TypeRef("model", head), rest
