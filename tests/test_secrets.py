"""A value AG604 reports is never printed: not in a spec, a document, an export,
a diagram, nor a code frame of `validate --format full` or any other report."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgen.catalog import load_catalog_text
from archgen.generators import GENERATORS
from archgen.generators.exports import backstage, structurizr
from archgen.secrets import REDACTED
from tests.helpers import ctx_of, run_archgen

SECRETS = ["AKIAABCDEFGHIJKLMNOP", "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
           "tiger-staple-battery9", "s3cr3tpass", "-----BEGIN RSA PRIVATE KEY-----"]
CATALOG = f"""\
archgen: 1
system: {{name: shop, description: "uploads with {SECRETS[0]}"}}
gateway:
  technology: kong
  auth: {{type: jwt, issuer: "https://admin:{SECRETS[3]}@auth.example/"}}
services:
  order-service:
    bounded_context: Orders
    description: "token {SECRETS[1]}"
    x-db:
      password: {SECRETS[2]}
    models:
      Order: {{id: uuid, note: {{type: str, description: "{SECRETS[4]} abc"}}}}
    endpoints:
      GET /api/v1/orders/{{id}}: {{summary: Read an order, response: Order}}
    publishes:
      order.created: {{when: now, payload: {{order_id: uuid}}}}
event_bus:
  technology: kafka
  topics:
    orders: {{events: [order.created]}}
"""


def _assert_no_secret(text: str | bytes, where: str) -> None:
    data = text if isinstance(text, str) else text.decode("utf-8", "replace")
    for secret in SECRETS:
        assert secret not in data, f"{secret!r} in {where}"


def test_the_loader_redacts_before_any_model_is_built() -> None:
    result = load_catalog_text(CATALOG, "c.yaml")
    assert result.catalog is not None
    assert len(result.catalog.redacted) == 5
    assert result.catalog.services["order-service"].spec.description == REDACTED
    _assert_no_secret(result.text, "the decoded text")
    assert len(result.text) == len(CATALOG)  # columns kept for every other finding


def test_no_output_of_any_generator_or_export_holds_a_secret() -> None:
    catalog = load_catalog_text(CATALOG, "c.yaml").catalog
    assert catalog is not None
    for name, generator in GENERATORS.items():
        for file in generator.plan(ctx_of(catalog)):
            _assert_no_secret(file.content, f"{name}: {file.path}")
    _assert_no_secret(backstage.render(catalog), "backstage")
    _assert_no_secret(structurizr.render(catalog), "structurizr")


@pytest.mark.parametrize("fmt", ["text", "full", "json", "sarif", "github", "junit", "gitlab"])
def test_no_report_holds_a_secret(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    result = run_archgen("validate", str(path), "--format", fmt)
    assert "AG604" in result.out, result
    _assert_no_secret(result.out + result.err, f"validate --format {fmt}")


def test_generate_writes_redacted_outputs_and_fails_on_inline_secrets(tmp_path: Path) -> None:
    """An inline secret is an error of `validate`: `generate` writes the redacted outputs
    (so the team sees them) but does not pass the run."""
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    result = run_archgen("generate", str(path), "-o", str(tmp_path / "out"), "--only",
                         "openapi,asyncapi,docs")
    assert result.code == 1, result
    assert "5 value(s) that look like secrets are redacted" in result.err
    assert "AG604" in result.err and "written" in result.err
    written = [f for f in (tmp_path / "out").rglob("*") if f.is_file()]
    assert any(f.name == "order-service.yaml" for f in written)
    for file in written:
        _assert_no_secret(file.read_bytes(), str(file))
    again = run_archgen("generate", str(path), "-o", str(tmp_path / "out"), "--only",
                        "openapi,asyncapi,docs")
    assert again.code == 1, again  # nothing changed, still not a passing run


def test_generate_passes_when_the_inline_secrets_are_suppressed(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG + "rules:\n  ignore:\n    - {rule: AG604, reason: 'test fixtures, "
                    "rotated and revoked'}\n")
    result = run_archgen("generate", str(path), "-o", str(tmp_path / "out"), "--only",
                         "openapi,asyncapi,docs")
    assert result.code == 0, result
    assert "redacted" in result.err  # still said: the outputs differ from the catalog
    for file in (tmp_path / "out").rglob("*"):
        if file.is_file():
            _assert_no_secret(file.read_bytes(), str(file))
