"""The views carry what the issue asks of each: who calls whom, with what, and where data goes."""

from __future__ import annotations

from archgen.catalog import load_catalog_text
from archgen.generators.diagrams.flows import context_view, event_view
from archgen.generators.diagrams.generator import build_views
from archgen.generators.diagrams.model import Kind, Style, View
from archgen.generators.diagrams.views import CLUSTER_THRESHOLD, service_view, system_view
from tests.diagrams.helpers import ecommerce, synthetic


def _edges(view: View, style: Style) -> dict[tuple[str, str], str]:
    return {(e.source, e.target): e.label for e in view.edges if e.style is style}


def test_system_view_routes_public_services_through_the_gateway() -> None:
    sync = _edges(system_view(ecommerce()), Style.SYNC)
    assert ("clients", "gateway") in sync
    assert ("gateway", "svc_order_service") in sync
    # notification-service is `public: false`: the gateway does not route to it.
    assert ("gateway", "svc_notification_service") not in sync


def test_gateway_does_not_route_to_a_public_service_without_endpoints() -> None:
    catalog = load_catalog_text("archgen: 1\nsystem: {name: shop}\nservices:\n  worker: {}\n"
                                "  api: {endpoints: {GET /api/v1/x: X}}\n").catalog
    assert catalog is not None
    sync = _edges(system_view(catalog), Style.SYNC)
    assert ("gateway", "svc_api") in sync
    assert ("gateway", "svc_worker") not in sync
    assert ("gateway", "svc_worker") not in _edges(service_view(catalog, "worker"), Style.SYNC)


def test_system_view_labels_calls_with_protocol_timeout_and_attempts() -> None:
    sync = _edges(system_view(ecommerce()), Style.SYNC)
    assert sync[("svc_order_service", "svc_payment_service")] == "http 60 ms x3"


def test_system_view_draws_stores_topics_and_infrastructure() -> None:
    view = system_view(ecommerce())
    assert ("svc_order_service", "db_orders_db") in _edges(view, Style.DATA)
    asyncs = _edges(view, Style.ASYNC)
    assert asyncs[("svc_payment_service", "topic_payments")] == \
        "payment.completed\npayment.failed"
    assert asyncs[("topic_orders", "svc_shipping_service")] == "order.confirmed"
    assert not any(n.kind is Kind.BUS for n in view.nodes)  # topics, not one "Event Bus"
    techs = {n.tech for n in view.nodes if n.kind is Kind.INFRA}
    assert {"prometheus", "jaeger", "istio"} <= techs


def test_system_view_ranks_services_by_calls_not_by_events() -> None:
    edges = {(e.source, e.target): e for e in system_view(ecommerce()).edges}
    assert edges[("svc_order_service", "svc_payment_service")].ranked
    assert edges[("svc_order_service", "topic_orders")].ranked
    # A consumer may sit left of its topic: events must not push callers after callees.
    assert not edges[("topic_orders", "svc_shipping_service")].ranked


def test_event_view_goes_producer_topic_consumer_with_event_names_and_dlq() -> None:
    view = event_view(ecommerce())
    asyncs = _edges(view, Style.ASYNC)
    assert asyncs[("svc_payment_service", "topic_payments")] == \
        "payment.completed\npayment.failed"
    assert asyncs[("topic_orders", "svc_shipping_service")] == "order.confirmed"
    assert ("topic_orders", "dlq_orders") in _edges(view, Style.DLQ)


def test_context_map_relates_contexts_by_calls_and_events() -> None:
    view = context_view(ecommerce())
    labels = {n.label for n in view.nodes}
    assert {"Order Management", "Payments", "Shipping"} <= labels
    async_labels = [e.label for e in view.edges if e.style is Style.ASYNC]
    assert "shipment.dispatched" in async_labels
    assert any("order-service -> payment-service" in e.label for e in view.edges)


def test_service_view_shows_neighbours_both_ways() -> None:
    view = service_view(ecommerce(), "order-service")
    ids = {n.id for n in view.nodes}
    assert {"svc_payment_service", "svc_notification_service", "db_orders_db",
            "topic_orders", "gateway"} <= ids
    assert ("svc_shipping_service", "svc_order_service") in _edges(view, Style.SYNC)


def test_build_views_makes_one_service_view_per_service_by_default() -> None:
    names = [v.name for v in build_views(ecommerce())]
    assert names[:3] == ["system", "context", "events"]
    assert len(names) == 3 + len(ecommerce().services)


def test_large_system_view_clusters_by_context_and_points_to_other_views() -> None:
    catalog = synthetic(CLUSTER_THRESHOLD + 10)
    view = system_view(catalog)
    assert view.clusters
    services = [n for n in view.nodes if n.kind is Kind.SERVICE]
    assert services and all(n.cluster for n in services)
    assert not any(n.kind is Kind.STORE for n in view.nodes)
    assert view.notes and "service-<name>" in view.notes[0]


def test_small_system_view_has_no_context_clusters() -> None:
    view = system_view(ecommerce())
    assert [c.id for c in view.clusters] == ["infra"]
    assert view.notes == ()


def test_large_context_map_drops_labels_and_says_where_details_are() -> None:
    view = context_view(synthetic(100))  # about 60 bounded contexts
    assert view.edges and all(e.label == "" for e in view.edges)
    assert view.notes and "service-<name>" in view.notes[0]


def test_a_large_system_view_bundles_the_gateway_fan_out() -> None:
    from archgen.generators.diagrams.dot import render
    from archgen.generators.diagrams.render import dot_source

    small, large = system_view(ecommerce()), system_view(synthetic(CLUSTER_THRESHOLD + 1))
    assert not small.bundled and large.bundled
    assert "concentrate=true" in render(large) and "concentrate" not in render(small)
    assert "concentrate=true" in dot_source(large)
