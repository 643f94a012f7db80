"""The generation core: the run's clock, post-formatting, the deployment model."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgen.catalog import load_catalog, load_catalog_text
from archgen.cli import run
from archgen.errors import ArchgenError
from archgen.formatting import post_format
from archgen.model.deployment import deployment, env_name, package_name
from archgen.output import OutputFile

ROOT = Path(__file__).resolve().parents[2]
ECOMMERCE = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
MINIMAL = ROOT / "blueprints" / "minimal" / "catalog.yaml"

# A suppression that expires: the checklist in the docs depends on the run's day.
EXPIRING = """
rules:
  ignore:
    - {rule: AG100, reason: gateway comes next quarter, until: 2026-06-30}
"""


def _docs(tmp_path: Path, epoch: str, monkeypatch: pytest.MonkeyPatch, name: str) -> str:
    catalog = tmp_path / "catalog.yaml"
    text = MINIMAL.read_text(encoding="utf-8")
    text = text[:text.index("gateway:")] + text[text.index("mesh:"):] + EXPIRING
    catalog.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert run(["generate", str(catalog), "-o", str(tmp_path / name), "--only", "docs"]) == 0
    return (tmp_path / name / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_the_run_day_comes_from_source_date_epoch_not_the_clock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _docs(tmp_path, "1767225600", monkeypatch, "jan")  # 2026-01-01
    again = _docs(tmp_path, "1767225600", monkeypatch, "jan-again")
    after = _docs(tmp_path, "1798761600", monkeypatch, "next-year")  # 2027-01-01
    assert before == again
    assert "AG100" not in before  # suppressed until June
    assert "AG100" in after  # expired: the finding is back in the checklist


def test_post_format_runs_ruff_once_over_all_python_and_leaves_the_rest() -> None:
    files = [OutputFile("a.py", "x=( 1,2 )\n", "t"), OutputFile("b.yaml", "x:   1\n", "t"),
             OutputFile("c.py", "def f( a ):\n  return a\n", "t")]
    out = post_format(files)
    assert [f.content for f in out] == ["x = (1, 2)\n", "x:   1\n",
                                        "def f(a):\n    return a\n"]
    assert post_format(out) == out  # stable: --check stays quiet


def test_post_format_refuses_python_that_does_not_parse() -> None:
    with pytest.raises(ArchgenError, match="ruff could not format generated Python"):
        post_format([OutputFile("bad.py", "def (:\n", "t")])


def test_the_deployment_model_decides_ports_addresses_and_env_names_once() -> None:
    loaded = load_catalog(ECOMMERCE)
    assert loaded.catalog is not None
    model = deployment(loaded.catalog)
    order = model.services["order-service"]
    assert order.port == 8080 and order.package == "order_service"
    assert order.store is not None and order.store.technology == "postgresql"
    assert order.store.url_env == "DATABASE_URL"
    names = {e.name: e for e in order.env}
    assert names["DATABASE_URL"].value is None  # a secret reference, never a value
    assert names["DATABASE_URL"].secret == "orders-db-credentials"
    assert names["KAFKA_BOOTSTRAP_SERVERS"].value == "kafka:9092"
    assert {u.url_env for u in order.upstreams} >= {"PAYMENT_SERVICE_URL"}
    assert model.topics["orders"].dead_letter_topic == "orders.dlq"
    assert model.services["customer-service"].store.technology == "mongodb"  # type: ignore[union-attr]


def test_a_catalog_port_wins_and_the_openapi_server_follows_it() -> None:
    text = ("archgen: 1\nsystem: {name: s}\nservices:\n"
            "  a: {port: 9000, endpoints: {GET /api/v1/a: x}}\n"
            "  b: {depends_on: {a: {}}}\n")
    loaded = load_catalog_text(text)
    assert loaded.catalog is not None
    model = deployment(loaded.catalog)
    assert model.services["a"].port == 9000
    assert model.services["b"].upstreams[0].url == "http://a:9000"


def test_derived_names_are_identifiers() -> None:
    assert package_name("9-lives") == "svc_9_lives"
    assert env_name("payment-service") == "PAYMENT_SERVICE"
