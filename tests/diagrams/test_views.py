"""The views carry what the issue asks of each: who calls whom, with what, and where data goes."""

from __future__ import annotations

from archgen.catalog import load_catalog_text
from archgen.generators.diagrams.flows import context_view, event_view
from archgen.generators.diagrams.generator import build_views
from archgen.generators.diagrams.model import Kind, Style, View
from archgen.generators.diagrams.views import CLUSTER_THRESHOLD, service_view, system_view
from archgen.model.resolved import ResolvedCatalog
from tests.diagrams.helpers import ecommerce, synthetic, train_ticket


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


def test_system_view_draws_calls_stores_and_infrastructure_but_no_events() -> None:
    view = system_view(ecommerce())
    assert ("svc_order_service", "db_orders_db") in _edges(view, Style.DATA)
    # Events have the event flow: with the calls they crossed dozens of times.
    assert _edges(view, Style.ASYNC) == {}
    assert not any(n.kind in (Kind.TOPIC, Kind.BUS) for n in view.nodes)
    techs = {n.tech for n in view.nodes if n.kind is Kind.INFRA}
    assert {"prometheus", "jaeger", "istio"} <= techs


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


def test_large_system_view_is_one_node_per_context_with_counted_calls() -> None:
    catalog = train_ticket()
    assert len(catalog.services) > CLUSTER_THRESHOLD
    view = system_view(catalog)
    contexts = {n.label: n for n in view.nodes if n.kind is Kind.CONTEXT}
    assert not any(n.kind is Kind.SERVICE for n in view.nodes)
    assert len(contexts) == len({s.bounded_context for s in catalog.services.values()})
    assert contexts["Booking"].detail == "7 services, 7 public"
    # Booking's services call Orders' services: preserve, preserve-other, security x2,
    # cancel x2, rebook x2 (counted from the catalog, one edge for all of them).
    expected = sum(1 for s in catalog.services.values() if s.bounded_context == "Booking"
                   for d in s.dependencies
                   if catalog.services[d.target].bounded_context == "Orders")
    calls = _edges(view, Style.SYNC)
    assert calls[("ctx_Booking_" + _hash("Booking"), "ctx_Orders_" + _hash("Orders"))] == \
        f"{expected} calls"
    assert view.notes and "context-<name>" in view.notes[0]


def test_each_context_has_a_view_of_its_services_and_their_neighbours() -> None:
    from archgen.generators.diagrams.contexts import context_views

    catalog = train_ticket()
    views = {v.name: v for v in context_views(catalog)}
    assert "context-booking" in views and "context-railway-network" in views
    payments = views["context-payments"]
    ids = {n.id for n in payments.nodes}
    assert {"svc_ts_inside_payment_service", "svc_ts_payment_service",
            "svc_ts_voucher_service", "db_payment_db"} <= ids
    # Who calls into the context, from outside: cancel and rebook (Booking).
    assert ("svc_ts_cancel_service", "svc_ts_inside_payment_service") in \
        _edges(payments, Style.SYNC)
    assert context_views(ecommerce()) == []  # small systems draw every service already


def _hash(name: str) -> str:
    import hashlib

    return hashlib.sha1(name.encode()).hexdigest()[:8]


def test_small_system_view_has_no_context_clusters() -> None:
    view = system_view(ecommerce())
    assert [c.id for c in view.clusters] == ["infra"]
    assert view.notes == ()


def test_large_context_map_relates_contexts_by_events_without_labels() -> None:
    view = context_view(synthetic(100))  # about 60 bounded contexts
    assert view.edges and all(e.label == "" for e in view.edges)
    assert {e.style for e in view.edges} == {Style.ASYNC}  # the system view counts the calls
    assert view.notes and "service-<name>" in view.notes[0]


def test_service_view_labels_each_call_with_the_deployment_budget() -> None:
    from archgen.model.deployment import deployment

    catalog = ecommerce()
    budget = next(u.budget for u in deployment(catalog).services["order-service"].upstreams
                  if u.service == "payment-service")
    calls = _edges(service_view(catalog, "payment-service"), Style.SYNC)
    assert calls[("svc_order_service", "svc_payment_service")] == \
        f"http {budget.timeout_ms} ms x{budget.attempts} <= {budget.total_ms} ms"


# ------------------------------------------------ the event flow past the threshold
def _events_of(catalog: ResolvedCatalog, context: str) -> tuple[set[str], set[str]]:
    members = [s for s in catalog.services.values() if (s.bounded_context or "") == context]
    return ({p.event for s in members for p in s.publishes},
            {c.event for s in members for c in s.consumes})


def test_large_event_flow_is_one_node_per_context_on_lanes_of_the_bus() -> None:
    catalog = synthetic(200)
    view = event_view(catalog)
    assert not any(n.kind in (Kind.SERVICE, Kind.TOPIC) for n in view.nodes)
    lanes = {n.id for n in view.nodes if n.kind is Kind.BUS}
    contexts = {n.id: n for n in view.nodes if n.kind is Kind.CONTEXT}
    with_events = {s.bounded_context for s in catalog.services.values()
                   if s.publishes or s.consumes}
    assert {n.label for n in contexts.values()} == with_events
    assert 1 < len(lanes) < len(contexts)
    spokes = {(e.target if e.source in lanes else e.source): e for e in view.edges}
    assert len(spokes) == len(view.edges) == len(contexts)  # one edge per context
    for ctx_id, node in contexts.items():
        published, consumed = _events_of(catalog, node.label)
        edge = spokes[ctx_id]
        assert edge.label == f"{len(published)} out / {len(consumed)} in"
        assert edge.style is Style.ASYNC
        # It points the way most of the context's events go.
        assert (edge.source == ctx_id) == (len(published) >= len(consumed))
    # Rows of contexts between the lanes: each lane has its own row above and below.
    assert all(len(row) == 1 for row in view.ranks if set(row) & lanes)
    assert {n for row in view.ranks for n in row} == {n.id for n in view.nodes}


def test_each_context_has_an_event_view_of_its_producers_topics_and_consumers() -> None:
    from archgen.generators.diagrams.contexts import context_slug
    from archgen.generators.diagrams.event_contexts import event_context_views

    catalog = synthetic(200)
    views = {v.name: v for v in event_context_views(catalog)}
    context = catalog.services["order-service"].bounded_context or ""
    view = views[f"events-{context_slug(context)}"]
    asyncs = _edges(view, Style.ASYNC)
    published, consumed = _events_of(catalog, context)
    assert published and consumed
    for name in published:  # ours: from our producer to every consumer, whatever context
        event = catalog.events[name]
        topic = f"topic_{sorted(event.topics)[0]}".replace("-", "_")
        for producer in event.producers:
            assert name in asyncs[(f"svc_{producer}".replace("-", "_"), topic)]
        for consumer in event.consumers:
            assert name in asyncs[(topic, f"svc_{consumer}".replace("-", "_"))]
    for name in consumed - published:  # theirs: from their producer to our consumers only
        event = catalog.events[name]
        topic = f"topic_{sorted(event.topics)[0]}".replace("-", "_")
        targets = {t for (s, t) in asyncs if s == topic}
        assert all(catalog.services[t.removeprefix("svc_").replace("_", "-")].bounded_context
                   == context for t in targets)
    assert len(views) == len({s.bounded_context for s in catalog.services.values()
                              if s.publishes or s.consumes})


def test_a_small_event_flow_stays_one_drawing_of_services_and_topics() -> None:
    from archgen.generators.diagrams.event_contexts import event_context_views

    catalog = train_ticket()  # 45 services, 19 event edges
    assert len(catalog.services) > CLUSTER_THRESHOLD
    assert any(n.kind is Kind.TOPIC for n in event_view(catalog).nodes)
    assert event_context_views(catalog) == []
    assert event_context_views(ecommerce()) == []
