"""`archgen schema`: a Draft 2020-12 schema that agrees with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from archgen.catalog import load_catalog_text
from archgen.model.schema import allowed_keys, catalog_schema
from tests.helpers import ECOMMERCE, MINIMAL, ROOT


def _as_json(text: str) -> object:
    """YAML as a JSON validator sees it: dates are strings."""
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def _validator() -> jsonschema.Draft202012Validator:
    schema = catalog_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", [ECOMMERCE, MINIMAL, ROOT / "tests/fixtures/every_field.yaml"])
def test_schema_accepts_valid_catalogs(path: Path) -> None:
    errors = list(_validator().iter_errors(_as_json(path.read_text())))
    assert errors == []


@pytest.mark.parametrize("text", [
    "archgen: 1\nsystem: {name: s, titel: x}\nservices: {}\n",
    "archgen: 1\nsystem: {name: s}\nservices: {Bad_Name: {}}\n",
    "archgen: 1\nsystem: {name: s}\nservices: {a: {endpoints: {FETCH /x: y}}}\n",
    "archgen: 2\nsystem: {name: s}\nservices: {}\n",
    "archgen: 1\nsystem: {name: s}\nservices: {a: {nfr: {availability: 101}}}\n",
])
def test_schema_and_loader_both_reject(text: str) -> None:
    assert list(_validator().iter_errors(_as_json(text)))
    assert load_catalog_text(text).errors


def test_extension_keys_are_allowed_by_both() -> None:
    text = "archgen: 1\nx-team: a\nsystem: {name: s, x-id: 3}\nservices: {a: {x-tier: 1}}\n"
    assert list(_validator().iter_errors(_as_json(text))) == []
    assert load_catalog_text(text).findings == []


def test_allowed_keys_walks_maps_and_refs() -> None:
    assert "bounded_context" in allowed_keys(("services", "order-service"))
    assert "timeout_ms" in allowed_keys(("services", "a", "depends_on", "b"))
    assert "requests" in allowed_keys(("gateway", "rate_limits", "free"))


def _models() -> list[tuple[str, dict[str, object]]]:
    schema = catalog_schema()
    return [("Catalog", schema), *schema["$defs"].items()]


def test_every_property_has_a_description_for_editors() -> None:
    undescribed = [f"{name}.{key}" for name, node in _models()
                   for key, prop in node.get("properties", {}).items()  # type: ignore[attr-defined]
                   if not prop.get("description")]
    assert undescribed == []


def test_no_description_is_stale() -> None:
    from archgen.model.descriptions import DESCRIPTIONS

    models = dict(_models())
    stale = [f"{name}.{key}" for name, docs in DESCRIPTIONS.items() for key in docs
             if key not in models[name].get("properties", {})]  # type: ignore[attr-defined]
    assert stale == []


def test_fixed_vocabularies_are_enums_or_examples() -> None:
    props = catalog_schema()["$defs"]["Mesh"]["properties"]
    assert props["mtls"]["anyOf"][0]["enum"] == ["strict", "permissive"]
    assert "istio" in props["technology"]["anyOf"][0]["examples"]
    assert "default" not in props["mtls"]  # no `default: null` for editors to insert
    service = catalog_schema()["$defs"]["Service"]["properties"]
    assert service["public"]["default"] is True  # what the resolved model applies


def test_committed_schema_is_what_archgen_schema_prints() -> None:
    from tests.helpers import run_archgen

    committed = (ROOT / "schema" / "catalog.schema.json").read_text(encoding="utf-8")
    assert run_archgen("schema").out == committed, (
        "schema/catalog.schema.json is stale: run `archgen schema -o schema`")


def test_declared_defaults_are_what_the_resolved_model_applies() -> None:
    loaded = load_catalog_text("archgen: 1\nsystem: {name: s}\nservices: {a: {}}\n")
    assert loaded.catalog is not None
    assert loaded.catalog.services["a"].public is True


def test_catalog_format_doc_lists_every_key_the_schema_has() -> None:
    """docs/catalog-format.md carries `archgen schema --markdown` between its markers."""
    from tests.helpers import run_archgen

    doc = (ROOT / "docs" / "catalog-format.md").read_text(encoding="utf-8")
    begin = "<!-- BEGIN archgen schema --markdown -->\n\n"
    end = "\n<!-- END archgen schema --markdown -->"
    assert begin in doc and end in doc
    committed = doc.split(begin, 1)[1].split(end, 1)[0]
    assert run_archgen("schema", "--markdown").out == committed, (
        "docs/catalog-format.md is stale: run scripts/refresh-catalog-reference.sh")


def test_schema_reference_has_a_row_per_key_path() -> None:
    from archgen.model.schema_reference import schema_reference

    rows = schema_reference(catalog_schema())
    for path in ("services.<service>.consumes.<event>.match.<field>",
                 "services.<service>.depends_on.<service>.retries.max_attempts",
                 "services.<service>.models.<Model>.<field>.enum",
                 "rules.ignore[].until", "gateway.aggregations.<METHOD /path>.calls"):
        assert f"| `{path}` |" in rows, path
