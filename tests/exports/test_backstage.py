"""`archgen export backstage`: entities valid against Backstage's own JSON schemas,
relations that point at entities that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from archgen.generators.exports.backstage import entities, render
from tests.diagrams.helpers import ecommerce, hostile
from tests.helpers import ECOMMERCE, run_archgen

SCHEMAS = Path(__file__).parent / "backstage_schemas"
KIND_SCHEMA = {"API": "API", "Component": "Component", "Domain": "Domain",
               "System": "System", "Resource": "Resource"}


def _validator(kind: str) -> jsonschema.Draft7Validator:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / f"{KIND_SCHEMA[kind]}.v1alpha1.schema.json").read_text())
    return jsonschema.Draft7Validator(schema, registry=registry)


def _placeholders_resolved(value: Any) -> Any:
    # Backstage resolves `$text` placeholders (PlaceholderProcessor) before it checks
    # an entity against its kind's schema; stand in for the file's text.
    if isinstance(value, dict):
        if set(value) == {"$text"}:
            return f"<text of {value['$text']}>"
        return {k: _placeholders_resolved(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders_resolved(v) for v in value]
    return value


@pytest.mark.parametrize("catalog", [ecommerce, hostile], ids=["ecommerce", "hostile"])
def test_every_entity_is_valid_against_backstage_schemas(catalog: Any) -> None:
    docs = list(yaml.safe_load_all(render(catalog())))
    assert docs == entities(catalog())
    for doc in docs:
        errors = list(_validator(doc["kind"]).iter_errors(_placeholders_resolved(doc)))
        assert errors == [], (doc["metadata"]["name"], [e.message for e in errors])


def test_the_export_has_the_entities_the_issue_lists() -> None:
    docs = entities(ecommerce())
    kinds = sorted({d["kind"] for d in docs})
    assert kinds == ["API", "Component", "Domain", "Resource", "System"]
    count = {k: sum(1 for d in docs if d["kind"] == k) for k in kinds}
    assert count["Component"] == 6 and count["Domain"] == 6 and count["System"] == 1
    assert count["Resource"] == 6 + 5  # stores and topics
    order = next(d for d in docs if d["metadata"]["name"] == "order-service")
    assert order["spec"]["owner"] == "orders"
    assert "component:payment-service" in order["spec"]["dependsOn"]
    assert "resource:orders-db" in order["spec"]["dependsOn"]
    assert "payment-service-api" in order["spec"]["consumesApis"]
    assert order["spec"]["providesApis"] == ["order-service-api", "shop-events"]


def test_every_relation_points_at_an_entity_in_the_export() -> None:
    docs = entities(ecommerce())
    names = {(d["kind"].lower(), d["metadata"]["name"]) for d in docs}
    for doc in docs:
        spec = doc["spec"]
        for ref in spec.get("dependsOn", []) + spec.get("dependencyOf", []):
            kind, _, name = ref.partition(":")
            assert (kind, name) in names, ref
        for api in spec.get("providesApis", []) + spec.get("consumesApis", []):
            assert ("api", api) in names, api
        if "system" in spec:
            assert ("system", spec["system"]) in names


def test_export_command_writes_stdout_or_into_a_folder(tmp_path: Path) -> None:
    result = run_archgen("export", "backstage", str(ECOMMERCE))
    assert result.code == 0 and result.out.startswith("---\napiVersion: backstage.io/")
    result = run_archgen("export", "backstage", str(ECOMMERCE), "-o", str(tmp_path))
    assert result.code == 0, result.err
    assert (tmp_path / "catalog-info.yaml").read_text() == render(ecommerce())


def test_the_schema_check_rejects_a_broken_entity() -> None:
    component = next(d for d in entities(ecommerce()) if d["kind"] == "Component")
    broken = {**component, "spec": {k: v for k, v in component["spec"].items() if k != "owner"},
              "metadata": {}}
    messages = [e.message for e in _validator("Component").iter_errors(broken)]
    assert any("'owner' is a required property" in m for m in messages)
    assert any("'name' is a required property" in m for m in messages)


# Backstage checks names outside the JSON schemas (KubernetesValidatorFunctions):
# at most 63 characters, alphanumerics separated by single `-`, `_` or `.`.
_NAME = re.compile(r"^([A-Za-z0-9]+[-_.])*[A-Za-z0-9]+$")


@pytest.mark.parametrize("catalog", [ecommerce, hostile], ids=["ecommerce", "hostile"])
def test_entity_names_follow_backstage_naming_rules(catalog: Any) -> None:
    for doc in entities(catalog()):
        name = doc["metadata"]["name"]
        assert len(name) <= 63 and _NAME.match(name), name
