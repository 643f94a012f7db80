"""AsyncAPI 3.0: contents, the AsyncAPI 3.0 JSON Schema, and @asyncapi/parser (node)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from archgen.generators.asyncapi import AsyncApiGenerator
from archgen.model.resolved import ResolvedCatalog
from tests.helpers import ctx_of
from tests.tools import ASYNCAPI_PARSER, ASYNCAPI_SPECS, require

Make = Callable[[dict[str, Any]], ResolvedCatalog]
ROOT = Path(__file__).resolve().parents[2]
PARSE_SCRIPT = Path(__file__).with_name("asyncapi_parse.mjs")


def document(catalog: ResolvedCatalog) -> dict[str, Any]:
    files = AsyncApiGenerator().plan(ctx_of(catalog))
    assert [f.path for f in files] == ["asyncapi.yaml"]
    loaded: dict[str, Any] = yaml.safe_load(files[0].content)
    return loaded


def schema_errors(doc: dict[str, Any]) -> list[str]:
    require(ASYNCAPI_SPECS.exists(), "@asyncapi/specs")
    schema = json.loads(ASYNCAPI_SPECS.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]


def parse_with_node(tmp_path: Path, text: str) -> list[dict[str, Any]]:
    require(shutil.which("node") is not None, "node (Node.js 18+)", "install Node.js")
    require(ASYNCAPI_PARSER.exists(), "@asyncapi/parser")
    path = tmp_path / "asyncapi.yaml"
    path.write_text(text, encoding="utf-8")
    run = subprocess.run(["node", str(PARSE_SCRIPT), str(path)], capture_output=True,
                         text=True, timeout=120, check=False, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    report: list[dict[str, Any]] = json.loads(run.stdout)
    return report


def test_blueprint_document_matches_the_asyncapi_3_schema(blueprint: ResolvedCatalog) -> None:
    assert schema_errors(document(blueprint)) == []


def test_the_schema_check_does_catch_mistakes(blueprint: ResolvedCatalog) -> None:
    doc = document(blueprint)
    doc["channels"]["orders"]["bindings"]["kafka"]["partitions"] = 0
    doc["operations"]["order-service.send.order.created"]["action"] = "publish"
    assert len(schema_errors(doc)) >= 2


def test_blueprint_document_parses_with_asyncapi_parser(blueprint: ResolvedCatalog,
                                                        tmp_path: Path) -> None:
    text = AsyncApiGenerator().plan(ctx_of(blueprint))[0].content
    assert isinstance(text, str)
    report = parse_with_node(tmp_path, text)
    assert report[0]["parsed"] is True
    assert [d for d in report[0]["diagnostics"] if d["severity"] == 0] == []


def test_parser_script_fails_on_a_broken_document(tmp_path: Path) -> None:
    require(shutil.which("node") is not None, "node (Node.js 18+)", "install Node.js")
    require(ASYNCAPI_PARSER.exists(), "@asyncapi/parser")
    path = tmp_path / "broken.yaml"
    path.write_text("asyncapi: 3.0.0\ninfo: {title: x}\noperations: {a: {action: send}}\n",
                    encoding="utf-8")
    run = subprocess.run(["node", str(PARSE_SCRIPT), str(path)], capture_output=True,
                         text=True, timeout=120, check=False, cwd=ROOT)
    assert run.returncode == 1
    assert any(d["severity"] == 0 for d in json.loads(run.stdout)[0]["diagnostics"])


def test_one_channel_per_topic_with_kafka_bindings(base: dict[str, Any], make: Make) -> None:
    channels = document(make(base))["channels"]
    assert sorted(channels) == ["orders", "orders.dlq"]
    orders = channels["orders"]
    assert orders["address"] == "orders"
    assert orders["messages"] == {"order.created": {"$ref": "#/components/messages/order.created"}}
    assert orders["bindings"]["kafka"] == {
        "topic": "orders", "partitions": 4, "replicas": 3, "bindingVersion": "0.5.0",
        "topicConfiguration": {"cleanup.policy": ["delete"], "retention.ms": 604_800_000}}
    assert orders["x-archgen-partition-key"] == "order_id"
    dlq = channels["orders.dlq"]
    assert dlq["address"] == "orders.dlq"
    assert dlq["x-archgen-dead-letter-of"] == "orders"


def test_no_dead_letter_channel_unless_configured(base: dict[str, Any], make: Make) -> None:
    base["event_bus"]["topics"]["orders"]["dead_letter"] = False
    doc = document(make(base))
    assert sorted(doc["channels"]) == ["orders"]
    assert schema_errors(doc) == []


def test_message_payload_envelope_and_key(base: dict[str, Any], make: Make) -> None:
    doc = document(make(base))
    message = doc["components"]["messages"]["order.created"]
    assert message["summary"] == "Placed"
    assert message["payload"] == {
        "type": "object", "required": ["order_id", "lines"],
        "properties": {"order_id": {"type": "string", "format": "uuid"},
                       "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}}}}
    assert doc["components"]["schemas"]["Line"]["properties"]["qty"]["minimum"] == 1
    headers = message["headers"]
    assert headers["allOf"] == [{"$ref": "#/components/schemas/CloudEventHeaders"}]
    assert headers["properties"]["ce_type"] == {"type": "string", "const": "order.created"}
    assert headers["properties"]["ce_source"]["enum"] == ["/demo/order-service"]
    envelope = doc["components"]["schemas"]["CloudEventHeaders"]["properties"]
    assert {"ce_id", "ce_source", "ce_type", "ce_time", "ce_subject"} <= set(envelope)
    traceparent = re.compile(envelope["traceparent"]["pattern"])  # W3C Trace Context
    assert traceparent.match("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    assert not traceparent.match("00-4bf92f3577b34da6a3ce929d0e0e4736")
    assert message["bindings"]["kafka"]["key"]["format"] == "uuid"


def test_operations_match_publishes_and_consumes(base: dict[str, Any], make: Make) -> None:
    operations = document(make(base))["operations"]
    assert sorted(operations) == [
        "audit-service.receive.order.created", "audit-service.send.order.created.via.orders.dlq",
        "order-service.send.order.created"]
    send = operations["order-service.send.order.created"]
    assert send["action"] == "send"
    assert send["channel"] == {"$ref": "#/channels/orders"}
    assert send["messages"] == [{"$ref": "#/channels/orders/messages/order.created"}]
    receive = operations["audit-service.receive.order.created"]
    assert (receive["action"], receive["summary"]) == ("receive", "Record it")
    assert receive["tags"] == [{"name": "Audit"}]


def test_no_topics_means_no_document(base: dict[str, Any], make: Make) -> None:
    del base["event_bus"]
    assert AsyncApiGenerator().plan(ctx_of(make(base))) == []
