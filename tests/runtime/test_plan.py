"""What `archgen up` would start for the e-commerce blueprint, without starting it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from archgen import pipeline
from archgen.catalog import load_catalog, load_catalog_text
from archgen.model.deployment import deployment
from archgen.model.resolved import ResolvedCatalog
from archgen.runtime.gateway import GatewayConfig
from archgen.runtime.parts import Broker, Postgres, Service, Valkey
from archgen.runtime.plan import PlanError, UpOptions, build_plan

ROOT = Path(__file__).resolve().parents[2]
MONGO = {"customers-db": "mongodb://127.0.0.1:27017/customers",
         "notifications-db": "mongodb://127.0.0.1:27017/notifications"}


@pytest.fixture(scope="module")
def shop() -> ResolvedCatalog:
    loaded = load_catalog(ROOT / "blueprints" / "ecommerce" / "catalog.yaml")
    assert loaded.catalog is not None
    return loaded.catalog


@pytest.fixture(scope="module")
def gateway() -> GatewayConfig:
    """The gateway's bootstrap as `archgen up` gets it: from the run's plan."""
    run = pipeline.prepare(ROOT / "blueprints" / "ecommerce" / "catalog.yaml", date(2026, 1, 1))
    assert run is not None
    return pipeline.gateway_config(run)


def test_mongodb_cannot_run_here_and_says_what_to_pass(shop: ResolvedCatalog,
                                                       gateway: GatewayConfig,
                                                       tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        build_plan(shop, deployment(shop), tmp_path, tmp_path, UpOptions(), None,
                   gateway=gateway)
    assert caught.value.lines == (
        "customers-db (mongodb, owned by customer-service) cannot run here: no mongodb server "
        "ships as a Python wheel; pass --embedded memory to keep its data in the service's "
        "memory, or start a server and pass "
        "--store customers-db=mongodb://127.0.0.1:27017/customers_db",
        "notifications-db (mongodb, owned by notification-service) cannot run here: no mongodb "
        "server ships as a Python wheel; pass --embedded memory to keep its data in the "
        "service's memory, or start a server and pass "
        "--store notifications-db=mongodb://127.0.0.1:27017/notifications_db")


def test_stages_stores_then_every_service_and_the_gateway_together(
        shop: ResolvedCatalog, gateway: GatewayConfig, tmp_path: Path) -> None:
    plan = build_plan(shop, deployment(shop), tmp_path, tmp_path / "run",
                      UpOptions(store_urls=MONGO), None, gateway=gateway)
    infra, together = plan.stages
    assert [type(p) for p in infra] == [Broker, Postgres, Valkey]
    assert together == [*plan.services.values(), plan.aggregator, plan.gateway]


def test_with_kept_data_stages_are_stores_then_services_upstreams_first(
        shop: ResolvedCatalog, gateway: GatewayConfig, tmp_path: Path) -> None:
    plan = build_plan(shop, deployment(shop), tmp_path, tmp_path / "run",
                      UpOptions(store_urls=MONGO, data_dir=tmp_path / "data"), None,
                      gateway=gateway)
    infra, *service_stages = plan.stages
    # Envoy comes last, with the service its aggregation routes go to.
    assert service_stages.pop() == [plan.aggregator, plan.gateway]
    assert [type(p) for p in infra] == [Broker, Postgres, Valkey]
    postgres = infra[1]
    assert isinstance(postgres, Postgres)
    assert postgres.databases == ("orders_db", "payments_db", "shipments_db")
    order = [[p.name for p in stage] for stage in service_stages]
    assert order == [["customer-service", "inventory-service", "payment-service"],
                     ["order-service"], ["notification-service", "shipping-service"]]
    broker = infra[0]
    assert isinstance(broker, Broker)
    assert ("orders", 6) in [(t.name, t.partitions) for t in broker.topics]
    assert ("orders.dlq", 1) in [(t.name, t.partitions) for t in broker.topics]


def test_service_settings_are_local(shop: ResolvedCatalog,
                                    gateway: GatewayConfig,
                                    tmp_path: Path) -> None:
    plan = build_plan(shop, deployment(shop), tmp_path, tmp_path / "run",
                      UpOptions(store_urls=MONGO), None, gateway=gateway)
    order = plan.services["order-service"]
    assert isinstance(order, Service)
    env = order.env
    assert env["PORT"] == str(order.port)
    assert env["DATABASE_URL"] == ("postgresql+asyncpg://postgres:@/orders_db?host="
                                   f"{tmp_path / 'run' / 'postgres' / 'socket'}")
    assert env["PAYMENT_SERVICE_URL"] == f"http://127.0.0.1:{plan.services['payment-service'].port}"
    assert env["KAFKA_BOOTSTRAP_SERVERS"].startswith("127.0.0.1:")
    assert (env["KAFKA_SESSION_TIMEOUT_MS"], env["KAFKA_HEARTBEAT_INTERVAL_MS"],
            env["KAFKA_REBALANCE_TIMEOUT_MS"], env["KAFKA_FETCH_MAX_WAIT_MS"]) == (
        "1000", "300", "1000", "25")
    assert plan.services["customer-service"].env["MONGODB_URL"] == MONGO["customers-db"]
    assert len({s.port for s in plan.services.values()}) == len(plan.services)


def test_embedded_sqlite_and_memory_replace_postgres_and_mongodb(shop: ResolvedCatalog,
                                                                 gateway: GatewayConfig,
                                                                 tmp_path: Path) -> None:
    plan = build_plan(shop, deployment(shop), tmp_path, tmp_path / "run",
                      UpOptions(embedded=frozenset({"sqlite", "memory"})), None,
                      gateway=gateway)
    assert not any(isinstance(p, Postgres) for stage in plan.stages for p in stage)
    assert plan.services["order-service"].env["DATABASE_URL"] == (
        f"sqlite+aiosqlite:///{tmp_path / 'run' / 'orders_db'}.db")
    assert plan.services["customer-service"].env["MONGODB_URL"] == "memory://"


def test_an_unknown_store_name_is_refused(shop: ResolvedCatalog,
                                          gateway: GatewayConfig,
                                          tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        build_plan(shop, deployment(shop), tmp_path, tmp_path, UpOptions(
            store_urls={**MONGO, "orders": "postgresql://x"}), None, gateway=gateway)
    assert caught.value.lines == ("--store names 'orders', which is no data store of shop",)


def test_the_gateway_points_at_local_ports_with_the_dev_jwks(shop: ResolvedCatalog,
                                                             gateway: GatewayConfig,
                                                             tmp_path: Path) -> None:
    import json

    from archgen.generators import GENERATORS

    if "gateway" not in GENERATORS:
        pytest.skip("needs the gateway generator")
    plan = build_plan(shop, deployment(shop), tmp_path, tmp_path / "run",
                      UpOptions(store_urls=MONGO), '{"keys": []}', gateway=gateway)
    assert plan.gateway is not None
    text = json.dumps(plan.gateway.bootstrap)
    assert '"inline_string": "{\\"keys\\": []}"' in text
    order = plan.services["order-service"]
    assert f'"port_value": {order.port}' in text
    listener = plan.gateway.bootstrap["static_resources"]["listeners"][0]["address"]
    assert listener == {"socket_address": {"address": "127.0.0.1",
                                           "port_value": plan.gateway.port}}
    assert "0.0.0.0" not in text


def test_the_aggregation_service_calls_the_local_services(shop: ResolvedCatalog,
                                                          gateway: GatewayConfig,
                                                          tmp_path: Path) -> None:
    plan = build_plan(shop, deployment(shop), tmp_path, tmp_path / "run",
                      UpOptions(store_urls=MONGO), None, gateway=gateway)
    aggregator = plan.aggregator
    assert isinstance(aggregator, Service)
    assert aggregator.folder == tmp_path.resolve() / "aggregator"
    assert aggregator.env["ORDER_SERVICE_URL"] == plan.services["order-service"].url
    assert aggregator.env["CUSTOMER_SERVICE_URL"] == plan.services["customer-service"].url
    assert aggregator.env["AGGREGATION_TIMEOUT_MS"] == "2000"  # communication.sync.timeout_ms
    assert plan.gateway is not None
    clusters = plan.gateway.bootstrap["static_resources"]["clusters"]
    mine = next(c for c in clusters if c["name"] == aggregator.name)
    endpoint = mine["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
    assert endpoint["address"]["socket_address"]["port_value"] == aggregator.port


def test_the_local_fetch_wait_grows_with_the_consumers(shop: ResolvedCatalog,
                                                       gateway: GatewayConfig,
                                                       tmp_path: Path) -> None:
    """Each idle consumer fetches from tansu once per wait: the blueprint's few consumers
    keep the short wait (25 ms), while a 40-service system's consumers would
    keep the broker answering thousands of empty fetches a second, so theirs is longer."""
    from archgen.runtime.plan import IDLE_FETCHES_PER_S
    from bench.synth import make_catalog

    small = build_plan(shop, deployment(shop), tmp_path, tmp_path / "run",
                       UpOptions(store_urls=MONGO), None, gateway=gateway)
    assert small.services["order-service"].env["KAFKA_FETCH_MAX_WAIT_MS"] == "25"
    loaded = load_catalog_text(make_catalog(40), "catalog.yaml")
    assert loaded.catalog is not None
    big = build_plan(loaded.catalog, deployment(loaded.catalog), tmp_path, tmp_path / "run",
                     UpOptions(embedded=frozenset({"memory"})), None, gateway=gateway)
    waits = {int(s.env["KAFKA_FETCH_MAX_WAIT_MS"]) for s in big.services.values()
             if "KAFKA_CONSUMER_GROUP" in s.env}
    consumers = sum("KAFKA_CONSUMER_GROUP" in s.env for s in big.services.values())
    assert len(waits) == 1 and consumers > 20
    assert consumers * 1000 / waits.pop() <= IDLE_FETCHES_PER_S


def test_kafka_timings_set_in_the_environment_win(shop: ResolvedCatalog,
                                                  gateway: GatewayConfig, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The local fetch wait trades idle CPU for latency: a developer can choose."""
    monkeypatch.setenv("KAFKA_FETCH_MAX_WAIT_MS", "10")
    plan = build_plan(shop, deployment(shop), tmp_path, tmp_path / "run",
                      UpOptions(store_urls=MONGO), None, gateway=gateway)
    env = plan.services["order-service"].env
    assert (env["KAFKA_FETCH_MAX_WAIT_MS"], env["KAFKA_HEARTBEAT_INTERVAL_MS"]) == ("10", "300")
