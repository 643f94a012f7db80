"""The JSON Schema (Draft 2020-12) of catalog format 1, generated from the raw models."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from archgen.model.catalog import Catalog
from archgen.model.descriptions import DEFAULTS, DESCRIPTIONS, EXTENSION, Doc

SCHEMA_ID = "https://archgen.dev/schema/catalog-1.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


@cache
def catalog_schema() -> dict[str, Any]:
    schema = Catalog.model_json_schema(mode="validation")
    _close_name_maps(schema)
    for name, node in [("Catalog", schema), *schema.get("$defs", {}).items()]:
        _describe(node, DESCRIPTIONS.get(name, {}), DEFAULTS.get(name, {}))
    return {"$schema": DIALECT, "$id": SCHEMA_ID,
            "title": "archgen catalog, format 1", **schema}


def _describe(model: dict[str, Any], docs: dict[str, Doc], defaults: dict[str, object]) -> None:
    """Hover text and completions for editors: a description (and examples) per property.

    Pydantic's per-property titles ("Timeout Ms") and `default: null` (editors would
    offer to insert null) say nothing a user needs, so they go.
    """
    for key, prop in model.get("properties", {}).items():
        prop.pop("title", None)
        if prop.get("default", ...) is None:
            del prop["default"]
        if key in defaults:
            prop["default"] = defaults[key]
        doc = docs.get(key)
        if doc is None:
            continue
        text, examples = (doc, []) if isinstance(doc, str) else doc
        prop["description"] = text
        if examples:
            prop["examples"] = examples
    extension = model.get("patternProperties", {}).get("^x-")
    if extension is not None and "properties" in model:
        extension["description"] = EXTENSION


def _close_name_maps(node: Any) -> None:
    """Maps keyed by names take no other keys: the loader rejects them, so does the schema."""
    if isinstance(node, dict):
        if "patternProperties" in node and "properties" not in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _close_name_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_name_maps(value)


def allowed_keys(pointer: tuple[str | int, ...]) -> list[str]:
    """The keys the schema names for the mapping at `pointer` (for "did you mean")."""
    return sorted(mapping_keys(pointer))


def mapping_keys(pointer: tuple[str | int, ...]) -> list[str]:
    """The keys of the mapping at `pointer`, in the order the format declares them."""
    schema = catalog_schema()
    node = _node(schema, pointer)
    node = _object_branch(schema, node) if node is not None else None
    return list(node.get("properties", {})) if node else []


def short_form_types(pointer: tuple[str | int, ...]) -> list[str]:
    """JSON types a value at `pointer` may also take besides a mapping (its short forms)."""
    schema = catalog_schema()
    node = _deref(schema, _node(schema, pointer))
    if not isinstance(node, dict):
        return []
    types = [_deref(schema, b).get("type") for b in node.get("anyOf", [])]
    return [t for t in types if isinstance(t, str) and t not in ("object", "null")]


def _node(schema: dict[str, Any], pointer: tuple[str | int, ...]) -> Any:
    node: Any = schema
    for part in pointer:
        node = _step(schema, node, part)
        if node is None:
            return None
    return node


def _deref(root: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _object_branch(root: dict[str, Any], node: Any) -> dict[str, Any] | None:
    node = _deref(root, node)
    if not isinstance(node, dict):
        return None
    if node.get("type") == "object" or "properties" in node or "patternProperties" in node:
        return node
    for branch in node.get("anyOf", []):
        found = _object_branch(root, branch)
        if found is not None:
            return found
    return None


def _step(root: dict[str, Any], node: Any, part: str | int) -> Any:
    node = _deref(root, node)
    if isinstance(part, int):
        for branch in [node, *node.get("anyOf", [])]:
            candidate = _deref(root, branch)
            if isinstance(candidate, dict) and "items" in candidate:
                return candidate["items"]
        return None
    obj = _object_branch(root, node)
    if obj is None:
        return None
    if part in obj.get("properties", {}):
        return obj["properties"][part]
    for pattern, sub in obj.get("patternProperties", {}).items():
        if pattern != "^x-" and re.search(pattern, part):
            return sub
    return None
