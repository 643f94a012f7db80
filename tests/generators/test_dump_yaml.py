"""dump_yaml builds YAML nodes itself: its text must be PyYAML's, byte for byte.

The reference is the plain `yaml.dump` path the generators used before: a SafeDumper
(or libyaml's, when no string holds a character beyond U+FFFF) with aliases off, ASCII-only
when a string holds an invisible character,
dicts sorted by key text and Ordered in insertion order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from archgen.escaping import has_invisible
from archgen.generators.common import HEADER, Ordered, dump_yaml


def _sorted(dumper: yaml.SafeDumper, data: Mapping[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map",
                                    sorted(data.items(), key=lambda kv: str(kv[0])))


def _ordered(dumper: yaml.SafeDumper, data: Mapping[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", list(data.items()))


class _Ref(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


class _RefC(yaml.CSafeDumper):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


for _cls in (_Ref, _RefC):
    _cls.add_representer(dict, _sorted)
    _cls.add_representer(Ordered, _ordered)


def _astral(value: Any) -> bool:
    if isinstance(value, str):
        return any(ord(c) > 0xFFFF for c in value)
    if isinstance(value, Mapping):
        return any(_astral(k) or _astral(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_astral(v) for v in value)
    return False


def _invisible(value: Any) -> bool:
    if isinstance(value, str):
        return has_invisible(value)
    if isinstance(value, Mapping):
        return any(_invisible(k) or _invisible(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_invisible(v) for v in value)
    return False


def reference(document: Mapping[str, Any]) -> str:
    """Plain yaml.dump; ASCII-only when a string holds an invisible character."""
    invisible = _invisible(document)
    dumper = _Ref if _astral(document) and not invisible else _RefC
    return HEADER + yaml.dump(document, Dumper=dumper, sort_keys=False,
                              allow_unicode=not invisible, default_flow_style=False,
                              width=1_000_000, indent=2)


# Strings YAML 1.1 would read as something else, or that need quoting or escaping.
TRICKY = st.sampled_from(["yes", "No", "null", "~", "", " ", "1.0", "0x1F", "1_000", "-",
                          "a: b", "#x", "{{ x }}", "'q'", '"d"', "line\nbreak", "tab\t",
                          "\u00e9t\u00e9", "emoji \U0001F600", "\x85", "\u2028", "2026-01-01",
                          "*a", "&b", "!t", "|", ">", "%", "@", "`", "  lead", "trail  "])
SCALARS = (st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats() | TRICKY
           | st.text(max_size=12))
KEYS = TRICKY | st.text(min_size=1, max_size=8)


def _tree(children: Any) -> Any:
    return (st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4)
            | st.dictionaries(KEYS, children, max_size=4).map(Ordered))


DOCUMENTS = st.dictionaries(KEYS, st.recursive(SCALARS, _tree, max_leaves=25), max_size=6)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_dump_yaml_is_pyyamls_text(document: dict[str, Any]) -> None:
    assert dump_yaml(document) == reference(document)


@settings(max_examples=100, deadline=None)
@given(DOCUMENTS.map(Ordered))
def test_dump_yaml_keeps_an_ordered_top_level(document: Ordered) -> None:
    assert dump_yaml(document) == reference(document)


def test_repeated_sub_objects_are_written_out_not_aliased() -> None:
    shared = {"description": "Not found", "content": {"a": [1, 2]}}
    text = dump_yaml(Ordered(x=shared, y=shared, z=[shared, shared]))
    assert "&" not in text and "*" not in text
    assert text == reference(Ordered(x=shared, y=shared, z=[shared, shared]))
