"""Pydantic validation errors -> located, one-line findings users can act on."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from archgen.findings import Finding, Location, Pointer, Severity, dotted_path, printable
from archgen.loading import SourceMap

_TYPE_WORDS = {
    "string_type": "a string", "int_type": "an integer", "int_parsing": "an integer",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "list_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
    "none_required": "nothing (null)", "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)", "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
}


def findings_from_errors(errors: Iterable[Mapping[str, Any]], data: Any,
                         source_map: SourceMap) -> list[Finding]:
    """One finding per problem; union alternatives that all failed are merged into one."""
    merged: dict[tuple[Pointer, str], dict[str, Any]] = {}
    for error in errors:
        pointer, key_error, union = _normalize(error["loc"], data, error["type"])
        slot = (pointer, "key" if key_error else error["type"] if not union else "union")
        entry = merged.setdefault(slot, {"error": error, "key": key_error, "union": union,
                                         "expected": []})
        if union and error["type"] in _TYPE_WORDS:
            entry["expected"].append(_TYPE_WORDS[error["type"]])
    return [_finding(pointer, entry, source_map) for (pointer, _), entry in merged.items()]


def _normalize(loc: tuple[Any, ...], data: Any, kind: str) -> tuple[Pointer, bool, bool]:
    """Drop pydantic's union tags from `loc`, keeping only parts that are real keys or indexes."""
    pointer: list[str | int] = []
    node = data
    key_error = False
    union = False
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if part == "[key]":
            key_error = True
            continue
        if _has(node, part):
            pointer.append(part)
            node = node[part]
        elif last and kind in ("missing", "extra_forbidden"):
            pointer.append(part)
        else:
            union = True
    return tuple(pointer), key_error, union


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)



def _finding(pointer: Pointer, entry: dict[str, Any], source_map: SourceMap) -> Finding:
    error = entry["error"]
    kind = error["type"]
    path = dotted_path(pointer)
    got = _show(error.get("input"))
    hint = ""
    if entry["key"]:
        code, slug = "AG013", "invalid-name"
        message = f"{path}: {_reason(error)}"
        return _make(code, slug, message, source_map.locate(pointer, key=True),
                     _rename_hint(message, error.get("input")))
    if kind == "extra_forbidden":
        key = printable(str(pointer[-1]))
        allowed = _allowed(pointer[:-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else (
            f"known keys here: {', '.join(allowed)}" if allowed else "")
        hint += "; keys starting with `x-` are extensions and always allowed" if not close else ""
        return _make("AG010", "unknown-key", f"{path}: unknown key `{key}`",
                     source_map.locate(pointer, key=True), hint)
    if kind == "missing":
        parent = dotted_path(pointer[:-1])
        return _make("AG012", "missing-key",
                     f"{parent}: missing required key `{pointer[-1]}`",
                     source_map.locate(pointer[:-1]))
    if pointer == ("archgen",):
        return _make("AG015", "format-version",
                     f"archgen: unsupported catalog format {got}; this archgen reads format 1",
                     source_map.locate(pointer), "write `archgen: 1` at the top of the catalog")
    union_words = entry["expected"] if entry["union"] else []
    if union_words or kind in _TYPE_WORDS:
        expected = union_words or [_TYPE_WORDS[kind]]
        return _make("AG011", "wrong-type", f"{path}: expected {_expected(pointer, expected)}, "
                     f"got {got}", source_map.locate(pointer))
    if kind == "literal_error" and isinstance(error.get("input"), str):
        options = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        close = difflib.get_close_matches(error["input"].casefold(), options, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else ""
    return _make("AG014", "invalid-value", f"{path}: {_reason(error)}", source_map.locate(pointer),
                 hint)


_JSON_TYPE_WORDS = {"string": "a string", "integer": "an integer", "number": "a number",
                    "boolean": "true or false", "array": "a list"}


def _expected(pointer: Pointer, expected: list[str]) -> str:
    """`a mapping` said with its keys, after the short forms the value may also take."""
    from archgen.model.schema import mapping_keys, short_form_types

    if "a mapping" not in expected:
        return " or ".join(dict.fromkeys(expected))
    words = [_JSON_TYPE_WORDS[t] for t in short_form_types(pointer) if t in _JSON_TYPE_WORDS]
    keys = mapping_keys(pointer)
    mapping = f"a mapping (keys: {', '.join(keys)})" if keys else "a mapping"
    return " or ".join(dict.fromkeys([*words, *expected])).replace("a mapping", mapping)


def _rename_hint(message: str, name: Any) -> str:
    """A valid spelling of an invalid name, when one is obvious (Book_Service -> book-service)."""
    from archgen.model.names import DNS_LABEL, EVENT_NAME, MODEL_NAME

    if not isinstance(name, str):
        return ""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name))
             if w]
    candidates = {
        DNS_LABEL: "-".join(words).lower(),
        MODEL_NAME: "".join(w[:1].upper() + w[1:] for w in words),
        EVENT_NAME: ".".join(words).lower(),
    }
    for rule, candidate in candidates.items():
        if f"is not a valid {rule.what}:" in message and re.fullmatch(rule.pattern, candidate):
            return f"rename it `{candidate}`"
    return ""


def _reason(error: Mapping[str, Any]) -> str:
    if error["type"] == "value_error":
        return str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
    if error["type"] == "literal_error":
        return f"got {_show(error.get('input'))}, expected {error['ctx']['expected']}"
    msg = str(error["msg"])
    return msg[0].lower() + msg[1:] + f" (got {_show(error.get('input'))})"


def _allowed(pointer: Pointer) -> list[str]:
    from archgen.model.schema import allowed_keys  # the schema is built only when needed

    return allowed_keys(pointer)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _make(code: str, slug: str, message: str, location: Location, hint: str = "") -> Finding:
    return Finding(code, slug, Severity.ERROR, message, location, hint)
