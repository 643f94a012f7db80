"""The tests archgen generates per service: CRUD per endpoint, one per reaction (an in-memory
broker double, no broker), consumer contracts per `calls` edge. They pass as generated, and
they fail when what they guard breaks: a callee's contract drops a field the caller reads or
renames a path it calls, a team's handler breaks a reaction."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
# Every other blueprint (the e-commerce one is the golden tree, whose services' own tests
# tests/services/test_generator.py runs) and the food-delivery fixture.
CATALOGS = {path.parent.name: path for path in sorted((ROOT / "blueprints").glob("*/catalog.yaml"))
            if path != BLUEPRINT} | {"fixture": ROOT / "tests" / "fixtures" / "food_delivery.yaml"}
SERVICES = [(name, service) for name, path in CATALOGS.items()
            for service in sorted(yaml.safe_load(path.read_text())["services"])]
CUSTOMER_CALL = "test_customer_service_get_v1_customers_by_id_keeps_to_its_contract"


def _generate(catalog: Path, out: Path) -> Path:
    done = subprocess.run([sys.executable, "-m", "archgen", "generate", str(catalog), "-o",
                           str(out), "--only", "services"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    return out / "services"


def _pytest(service: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-W", "ignore::DeprecationWarning", *args], cwd=service,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(BLUEPRINT, tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="module")
def systems(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {name: _generate(path, tmp_path_factory.mktemp(name))
            for name, path in CATALOGS.items()}


def test_each_service_gets_the_tests_its_catalog_entry_calls_for(shop: Path) -> None:
    order = shop / "order-service" / "tests"
    assert {p.name for p in (order / "contracts").iterdir()} == {
        "customer-service.openapi.json", "inventory-service.openapi.json",
        "payment-service.openapi.json"}
    endpoints = (order / "test_endpoints.py").read_text()
    for name in ("test_post_v1_orders_creates_what_a_read_answers",
                 "test_post_v1_orders_refuses_an_invalid_body",
                 "test_put_v1_orders_by_id_status_changes_what_a_read_answers",
                 "test_put_v1_orders_by_id_status_answers_404_for_a_missing_instance",
                 "test_get_v1_orders_customer_by_customer_id_lists_the_instances_under_its_value"):
        assert f"def {name}(" in endpoints, name
    reactions = (order / "test_reactions.py").read_text()
    for event in ("payment_completed", "payment_failed", "inventory_reserved",
                  "shipment_dispatched"):
        assert f"def test_{event}_is_handled_without_a_broker(" in reactions, event
    # A service that calls no one has no contract tests; one that consumes nothing no
    # reaction tests.
    assert not (shop / "customer-service" / "tests" / "test_contracts.py").exists()
    assert not (shop / "payment-service" / "tests" / "test_contracts.py").exists()
    assert (shop / "payment-service" / "tests" / "test_reactions.py").exists()
    # The recorded answer of a read is the callee's example: what the caller's client reads.
    contract = json.loads((order / "contracts" / "customer-service.openapi.json").read_text())
    answer = contract["paths"]["/api/v1/customers/{id}"]["get"]["responses"]["200"]
    assert {"id", "email", "name", "addresses"} <= set(answer["content"]["application/json"]
                                                      ["example"])


def test_the_generated_tests_are_ruff_clean(systems: dict[str, Path]) -> None:
    for name, service in SERVICES:
        for args in (["check", "--quiet"], ["format", "--check", "--quiet"]):
            done = subprocess.run([sys.executable, "-m", "ruff", *args, "--no-cache", "tests"],
                                  cwd=systems[name] / service, capture_output=True, text=True,
                                  timeout=120, check=False)
            assert done.returncode == 0, (name, service, done.stdout)


@pytest.mark.slow
def test_the_generated_tests_pass_mypy_strict(shop: Path, systems: dict[str, Path],
                                              tmp_path: Path) -> None:
    folders = [shop / s for s in ("order-service", "notification-service", "inventory-service")]
    folders += [systems[name] / service for name, service in SERVICES]
    for folder in folders:
        done = subprocess.run([sys.executable, "-m", "mypy", "--strict",
                               "--ignore-missing-imports", "--cache-dir", str(tmp_path),
                               "--python-version", "3.11", "src", "tests", "../_kit/src"],
                              cwd=folder, capture_output=True, text=True, timeout=600,
                              check=False)
        assert done.returncode == 0, (folder, done.stdout[-3000:])


@pytest.mark.slow
@pytest.mark.parametrize(("system", "service"), SERVICES)
def test_the_services_own_tests_pass(systems: dict[str, Path], system: str,
                                     service: str) -> None:
    done = _pytest(systems[system] / service)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.slow
def test_a_callee_dropping_a_field_the_caller_reads_fails_the_callers_contract_test(
        shop: Path, tmp_path: Path) -> None:
    caller = shop / "order-service"
    assert _pytest(caller, "tests/test_contracts.py").returncode == 0
    # customer-service's catalog entry loses Customer.email; its contract, recorded anew
    # for the caller, meets the caller's client that still reads it.
    text = BLUEPRINT.read_text()
    field = "      Customer:\n        id: uuid\n        email: {type: str, format: email}\n"
    assert field in text
    changed = tmp_path / "catalog.yaml"
    changed.write_text(text.replace(field, "      Customer:\n        id: uuid\n"))
    newer = _generate(changed, tmp_path / "out")
    contract = "tests/contracts/customer-service.openapi.json"
    planted = tmp_path / "planted"
    shutil.copytree(caller, planted / "order-service")
    shutil.copytree(shop / "_kit", planted / "_kit")
    shutil.copy(newer / "order-service" / contract, planted / "order-service" / contract)

    done = _pytest(planted / "order-service", "tests/test_contracts.py")

    assert done.returncode == 1, done.stdout[-3000:]
    assert f"FAILED tests/test_contracts.py::{CUSTOMER_CALL}" in done.stdout
    assert "email" in done.stdout and "Field required" in done.stdout
    assert "1 failed, 3 passed" in done.stdout


@pytest.mark.slow
def test_a_path_the_caller_calls_renamed_in_the_callee_fails_the_callers_contract_test(
        shop: Path, tmp_path: Path) -> None:
    planted = tmp_path / "planted"
    shutil.copytree(shop / "order-service", planted / "order-service")
    shutil.copytree(shop / "_kit", planted / "_kit")
    path = planted / "order-service" / "tests" / "contracts" / "customer-service.openapi.json"
    document = json.loads(path.read_text())
    document["paths"]["/api/v1/clients/{id}"] = document["paths"].pop("/api/v1/customers/{id}")
    path.write_text(json.dumps(document))

    done = _pytest(planted / "order-service", "tests/test_contracts.py")

    assert done.returncode == 1, done.stdout[-3000:]
    assert f"FAILED tests/test_contracts.py::{CUSTOMER_CALL}" in done.stdout
    assert "GET /api/v1/customers/" in done.stdout and "is not in the callee's contract" \
        in done.stdout


@pytest.mark.slow
def test_a_team_handler_that_breaks_a_reaction_fails_its_reaction_test(
        shop: Path, tmp_path: Path) -> None:
    planted = tmp_path / "planted"
    shutil.copytree(shop / "order-service", planted / "order-service")
    shutil.copytree(shop / "_kit", planted / "_kit")
    handlers = planted / "order-service" / "src" / "order_service" / "handlers.py"
    handlers.write_text(handlers.read_text() + (
        "\n\nfrom typing import Any  # noqa: E402\n\n"
        "from .handlers_api import implement  # noqa: E402\n\n\n"
        "@implement.on_payment_completed\n"
        "async def confirm(unit: Any, payload: dict[str, Any]) -> None:\n"
        "    raise RuntimeError(\"the team's handler is broken\")\n"))

    done = _pytest(planted / "order-service", "tests/test_reactions.py")

    assert done.returncode == 1, done.stdout[-3000:]
    assert ("FAILED tests/test_reactions.py::test_payment_completed_is_handled_without_a_broker"
            in done.stdout)
    assert "the team's handler is broken" in done.stdout
    assert "1 failed, 3 passed" in done.stdout
