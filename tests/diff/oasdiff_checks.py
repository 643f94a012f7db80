"""A few of oasdiff's documented breaking-change checks, re-stated over two OpenAPI documents.

oasdiff (github.com/oasdiff/oasdiff) cannot be installed here: it is a Go
program, there is no Go toolchain, no PyPI wheel, and its npm name is a
placeholder. So the tests argue from its documented checks (BREAKING-CHANGES.md
and docs/BREAKING-CHANGES-EXAMPLES.md): each function below is one check id,
with oasdiff's level (ERR: breaking, WARN: possibly breaking), evaluated on the
documents archgen generates. Only the checks archgen's catalogs can trigger
are here; each is deliberately literal, not a second diff engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Doc = dict[str, Any]
Hit = tuple[str, str, str]  # (check id, level, where)
METHODS = ("get", "put", "post", "delete", "patch")


def _deref(doc: Doc, schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _operations(doc: Doc) -> dict[tuple[str, str], Doc]:
    return {(path, m): op for path, item in doc.get("paths", {}).items()
            for m, op in item.items() if m in METHODS}


def _body(doc: Doc, holder: Doc | None) -> Any:
    content = (holder or {}).get("content", {}).get("application/json", {})
    return _deref(doc, content.get("schema")) if content else None


def _success(op: Doc) -> dict[str, Doc]:
    return {s: r for s, r in op.get("responses", {}).items() if s.startswith("2")}


def _props(doc: Doc, schema: Any) -> tuple[dict[str, Any], set[str]]:
    schema = _deref(doc, schema)
    if isinstance(schema, dict) and schema.get("type") == "array":
        schema = _deref(doc, schema.get("items"))
    if not isinstance(schema, dict):
        return {}, set()
    props = {k: _deref(doc, v) for k, v in schema.get("properties", {}).items()}
    return props, set(schema.get("required", []))


def _type(schema: Any) -> Any:
    return (schema.get("type"), schema.get("format")) if isinstance(schema, dict) else None


def _narrowed(a: Doc, b: Doc) -> bool:
    """max/maxLength decreased, min/minLength increased, enum values removed, pattern added."""
    lower = any(k in b and (k not in a or b[k] < a[k]) for k in ("maximum", "maxLength"))
    higher = any(k in b and (k not in a or b[k] > a[k]) for k in ("minimum", "minLength"))
    enum = "enum" in b and (not set(a.get("enum", b["enum"])) <= set(b["enum"])
                            or "enum" not in a)
    pattern = b.get("pattern") is not None and b.get("pattern") != a.get("pattern")
    return lower or higher or enum or pattern


def _request_checks(old: Doc, new: Doc, where: str, a: Doc, b: Doc) -> Iterator[Hit]:
    body_a, body_b = a.get("requestBody"), b.get("requestBody")
    if body_b and body_b.get("required") and not (body_a and body_a.get("required")):
        yield "new-required-request-body", "ERR", where
    pa, ra = _props(old, _body(old, body_a))
    pb, rb = _props(new, _body(new, body_b))
    for name, schema in pb.items():
        if name not in pa and name in rb:
            yield "new-required-request-property", "ERR", f"{where} {name}"
        elif name in pa and _type(pa[name]) != _type(schema):
            yield "request-property-type-changed", "ERR", f"{where} {name}"
        elif name in pa and name in rb and name not in ra:
            yield "request-property-became-required", "ERR", f"{where} {name}"
        elif name in pa and _narrowed(pa[name], schema):
            yield "request-property-max-length-decreased", "ERR", f"{where} {name}"
    for name in pa:
        if name not in pb:
            yield "request-property-removed", "WARN", f"{where} {name}"
    params_a = {p["name"]: p for p in a.get("parameters", []) if p["in"] == "query"}
    params_b = {p["name"]: p for p in b.get("parameters", []) if p["in"] == "query"}
    for name, p in params_b.items():
        if name not in params_a and p.get("required"):
            yield "new-required-request-parameter", "ERR", f"{where} {name}"
        elif name in params_a and _type(p["schema"]) != _type(params_a[name]["schema"]):
            yield "request-parameter-type-changed", "ERR", f"{where} {name}"
        elif name in params_a and _narrowed(params_a[name]["schema"], p["schema"]):
            yield "request-parameter-max-decreased", "ERR", f"{where} {name}"
    for name in params_a:
        if name not in params_b:
            yield "request-parameter-removed", "WARN", f"{where} {name}"


def _response_checks(old: Doc, new: Doc, where: str, a: Doc, b: Doc) -> Iterator[Hit]:
    sa, sb = _success(a), _success(b)
    for status in sa:
        if status not in sb:
            yield "response-success-status-removed", "ERR", f"{where} {status}"
    for status in set(sa) & set(sb):
        body_a, body_b = _body(old, sa[status]), _body(new, sb[status])
        if _type(body_a) != _type(body_b):
            yield "response-body-type-changed", "ERR", f"{where} {status}"
            continue
        pa, ra = _props(old, body_a)
        pb, rb = _props(new, body_b)
        for name, schema in pa.items():
            if name not in pb:
                if name in ra:
                    yield "response-required-property-removed", "ERR", f"{where} {name}"
            elif _type(schema) != _type(pb[name]):
                yield "response-property-type-changed", "ERR", f"{where} {name}"
            elif name in ra and name not in rb:
                yield "response-required-property-became-not-required", "ERR", \
                    f"{where} {name}"
            elif set(pb[name].get("enum", [])) - set(schema.get("enum", [])):
                yield "response-property-enum-value-added", "WARN", f"{where} {name}"


def oasdiff_breaking(old: Doc, new: Doc) -> list[Hit]:
    """The documented checks that fire between two documents (ERR and WARN)."""
    hits: list[Hit] = []
    before, after = _operations(old), _operations(new)
    for key, op in before.items():
        where = f"{key[1].upper()} {key[0]}"
        if key not in after:
            if not op.get("deprecated"):
                hits.append(("api-removed-without-deprecation", "ERR", where))
            continue
        for checks in (_request_checks, _response_checks):
            hits.extend(checks(old, new, where, op, after[key]))
    return hits


CHECK: Callable[[Doc, Doc], list[Hit]] = oasdiff_breaking
