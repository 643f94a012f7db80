"""Every key of catalog format 1 as Markdown tables, walked from the JSON Schema.

`docs/catalog-format.md` carries this reference (a test keeps the two equal), so the
document lists exactly the keys the loader accepts, with the schema's own descriptions,
defaults and examples: adding a key to the models adds it to the document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

# What a name-keyed map's key stands for, by the map's own key.
_PLACEHOLDER = {
    "services": "<service>", "depends_on": "<service>", "models": "<Model>",
    "fields": "<field>", "endpoints": "<METHOD /path>", "publishes": "<event>",
    "consumes": "<event>", "topics": "<topic>", "query": "<param>", "tiers": "<tier>",
    "copy": "<field>", "set": "<field>", "match": "<field>", "rate_limits": "<tier>",
    "aggregations": "<METHOD /path>", "<Model>": "<field>", "payload": "<field>",
}
_EXTENSION = "^x-"


def schema_reference(schema: Mapping[str, Any]) -> str:
    """The Markdown reference: one table per top-level section, a row per key path."""
    defs: Mapping[str, Any] = schema.get("$defs", {})
    out: list[str] = []
    for section, prop in sorted(schema.get("properties", {}).items()):
        out += [f"### `{section}`", "",
                "| key | type | default | what it is | example |", "|---|---|---|---|---|"]
        out += [_row(path, node, defs) for path, node in _walk(section, prop, defs, ())]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _walk(path: str, node: Mapping[str, Any], defs: Mapping[str, Any],
          seen: tuple[str, ...]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    yield path, node
    for sub, child_seen in _children(node, defs, seen):
        for key, prop in sorted(sub.get("properties", {}).items()):
            yield from _walk(f"{path}.{key}", prop, defs, child_seen)
        leaf = path.rsplit(".", 1)[-1]
        for pattern, value in sorted(sub.get("patternProperties", {}).items()):
            if pattern == _EXTENSION:
                continue
            name = f"{path}.{_PLACEHOLDER.get(leaf, '<name>')}"
            yield from _walk(name, value, defs, child_seen)
        if "items" in sub and isinstance(sub["items"], Mapping):
            for item, item_seen in _children(sub["items"], defs, child_seen):
                for key, prop in sorted(item.get("properties", {}).items()):
                    yield from _walk(f"{path}[].{key}", prop, defs, item_seen)


def _children(node: Mapping[str, Any], defs: Mapping[str, Any],
              seen: tuple[str, ...]) -> Iterator[tuple[Mapping[str, Any], tuple[str, ...]]]:
    """The schemas `node` stands for: itself, its `$ref` target and its anyOf options."""
    options = [node, *node.get("anyOf", [])]
    for option in options:
        ref = option.get("$ref")
        if ref is None:
            if option is not node or {"properties", "patternProperties", "items"} & node.keys():
                yield option, seen
            continue
        name = ref.rsplit("/", 1)[-1]
        if name not in seen and name in defs:  # no model refers to itself, but be safe
            yield defs[name], (*seen, name)


def _row(path: str, node: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    default = node.get("default")
    example = (node.get("examples") or [None])[0]
    cells = [f"`{path}`", _type(node, defs),
             "" if default in (None, [], {}) else _code(default),
             _clip(node.get("description", "")), "" if example is None else _code(example)]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _type(node: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    kinds = [_kind(option, defs) for option in node.get("anyOf", [node])]
    return " or ".join(dict.fromkeys(k for k in kinds if k != "null")) or "null"


def _kind(node: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    if "anyOf" in node:
        return _type(node, defs)
    if "$ref" in node:
        return "mapping"
    if "const" in node:
        return _code(node["const"])
    if "enum" in node:
        return " | ".join(_code(v) for v in node["enum"])
    kind = node.get("type", "any")
    if kind == "array":
        items = node.get("items", {})
        return f"list of {_kind(items, defs) if isinstance(items, Mapping) else 'any'}"
    if kind == "object" and "patternProperties" in node:
        return "map by name"
    return str(kind)


def _code(value: object) -> str:
    return "`" + json.dumps(value, ensure_ascii=False, separators=(", ", ": ")) + "`"


def _clip(text: str) -> str:
    return " ".join(text.split())
