"""Hostile text in a catalog stays a string: documents stay valid and round-trip it."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate

from archgen.generators.asyncapi import AsyncApiGenerator
from archgen.generators.openapi import OpenApiGenerator
from archgen.model.resolved import ResolvedCatalog
from tests.helpers import ctx_of
from tests.tools import ASYNCAPI_PARSER, ASYNCAPI_SPECS, require

Make = Callable[[dict[str, Any]], ResolvedCatalog]
ROOT = Path(__file__).resolve().parents[2]

HOSTILE = [
    'He said "hi" and \'bye\'',
    "key: value # not a comment",
    "{{ jinja }} {% raw %} ${ENV} $(rm -rf /)",
    "line one\nline two\n\n  indented\tand tabbed\n",
    "- looks like a list item",
    "&anchor *alias !!python/object:os.system %TAG @at `tick`",
    "ünïcødé 日本語 🚀 \u2028 line separator \u0085 next line",
    "null",
    "yes",
    "~",
    "1e3",
    "0x1F",
    "2024-01-01",
    "]}{[, ",
    "  leading and trailing spaces  ",
    "---",
    "...",
    "\\ backslash \\n not a newline",
    "<script>alert('x')</script>",
    "> folded | literal",
    "# starts like a comment",
    '{"json": [1, 2, {"a": null}]}',
    "bell \x07 escape \x1b[31m red",
]


def hostile_catalog(base: dict[str, Any], text: str) -> dict[str, Any]:
    """Put `text` in every free-text place the spec generators copy into documents."""
    base["system"]["title"] = text
    base["gateway"]["description"] = text
    base["gateway"]["aggregations"] = {"GET /api/v1/summary/{id}": {
        "summary": text, "description": text, "calls": ["order-service GET /api/v1/orders/{id}"]}}
    order = base["services"]["order-service"]
    order.update(description=text, team=text, bounded_context=text)
    order["endpoints"]["GET /api/v1/orders/{id}"] = {"summary": text, "description": text,
                                                      "response": "Order"}
    order["models"]["Order"]["note"] = {"type": "str", "required": False, "description": text,
                                        "default": text, "enum": [text, "plain"]}
    order["publishes"]["order.created"].update(when=text, description=text)
    base["services"]["audit-service"]["consumes"]["order.created"] = {"action": text,
                                                                      "description": text}
    base["event_bus"]["description"] = text
    base["event_bus"]["topics"]["orders"]["description"] = text
    return base


def texts_in_openapi(docs: dict[str, Any]) -> list[Any]:
    service = docs["openapi/order-service.yaml"]
    op = service["paths"]["/api/v1/orders/{id}"]["get"]
    note = service["components"]["schemas"]["Order"]["properties"]["note"]
    gateway = docs["openapi/gateway.yaml"]
    aggregation = gateway["paths"]["/api/v1/summary/{id}"]["get"]
    return [service["info"]["description"], service["info"]["contact"]["name"],
            service["tags"][0]["name"], service["tags"][0]["description"], op["summary"],
            op["description"], op["tags"][0], note["description"], note["default"],
            note["enum"][0], gateway["info"]["description"], gateway["info"]["title"][:-4],
            aggregation["summary"], aggregation["description"]]


def texts_in_asyncapi(doc: dict[str, Any]) -> list[Any]:
    message = doc["components"]["messages"]["order.created"]
    send = doc["operations"]["order-service.send.order.created"]
    receive = doc["operations"]["audit-service.receive.order.created"]
    return [doc["info"]["description"], doc["info"]["title"][:-7], message["summary"],
            message["description"], send["summary"], send["description"], send["tags"][0]["name"],
            receive["summary"], receive["description"], doc["channels"]["orders"]["description"]]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_round_trips_and_documents_stay_valid(base: dict[str, Any], make: Make,
                                                           text: str) -> None:
    catalog = make(hostile_catalog(base, text))
    openapi = {f.path: yaml.safe_load(f.content) for f in OpenApiGenerator().plan(ctx_of(catalog))}
    for document in openapi.values():
        validate(document)
    assert texts_in_openapi(openapi) == [text] * 14
    asyncapi = yaml.safe_load(AsyncApiGenerator().plan(ctx_of(catalog))[0].content)
    assert texts_in_asyncapi(asyncapi) == [text] * 10
    require(ASYNCAPI_SPECS.exists(), "@asyncapi/specs")  # after the checks that need nothing
    schema = json.loads(ASYNCAPI_SPECS.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft7Validator(schema).iter_errors(asyncapi)) == []


def test_unicode_is_written_as_text_not_escapes(base: dict[str, Any], make: Make) -> None:
    catalog = make(hostile_catalog(base, "日本語 🚀 ünï"))
    content = AsyncApiGenerator().plan(ctx_of(catalog))[0].content
    assert isinstance(content, str)
    assert "日本語 🚀 ünï" in content


def test_asyncapi_parser_reads_the_hostile_text_back(base: dict[str, Any], make: Make,
                                                     tmp_path: Path) -> None:
    parser = ASYNCAPI_PARSER
    require(shutil.which("node") is not None, "node (Node.js 18+)", "install Node.js")
    require(parser.exists(), "@asyncapi/parser")
    text = " | ".join(HOSTILE)
    content = AsyncApiGenerator().plan(ctx_of(make(hostile_catalog(base, text))))[0].content
    assert isinstance(content, str)
    path = tmp_path / "asyncapi.yaml"
    path.write_text(content, encoding="utf-8")
    script = (f"import {{ Parser }} from '@asyncapi/parser';"
              f"import {{ readFileSync }} from 'node:fs';"
              f"const r = await new Parser().parse(readFileSync({json.dumps(str(path))}, 'utf8'));"
              "const m = r.document.components().messages().get('order.created');"
              "process.stdout.write(JSON.stringify({summary: m.summary(),"
              " errors: r.diagnostics.filter(d => d.severity === 0).length}));")
    run = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True,
                         text=True, timeout=120, check=False, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"summary": text, "errors": 0}
