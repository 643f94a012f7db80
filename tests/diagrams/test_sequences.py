"""Sequence diagrams of the flows: what they show, their files, and well-formed text.

The Mermaid and PlantUML text is checked structurally (tests/diagrams/seqsyntax.py):
no Mermaid parser is installed for the suite and there is no PlantUML jar (no Java).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

from archgen.catalog import load_catalog, load_catalog_text
from archgen.generators.diagrams import seq_svg, seq_text
from archgen.generators.diagrams.seq_files import flow_files
from archgen.generators.diagrams.sequences import (
    Block,
    Branch,
    Message,
    Note,
    SequenceFlow,
    Step,
    derive_sequences,
)
from archgen.model.resolved import ResolvedCatalog
from tests.diagrams.helpers import ecommerce
from tests.diagrams.seqsyntax import mermaid_problems, plantuml_problems
from tests.helpers import ROOT, run_archgen

FOOD = ROOT / "tests" / "fixtures" / "food_delivery.yaml"
GOLDEN = ROOT / "generated" / "ecommerce" / "diagrams"
HOSTILE = '"; end %% #x; @enduml !include <b>--x__ ${x}\nalt evil'
HOSTILE_FLOW = f"""
archgen: 1
system: {{name: evil, title: Evil}}
gateway: {{technology: envoy}}
services:
  a-service:
    models:
      Thing: {{id: uuid, status: {{enum: [new, done]}}}}
    endpoints:
      POST /api/v1/things:
        summary: {json.dumps(HOSTILE)}
        request: Thing
        response: Thing
        emits: [thing.made, thing.failed]
    publishes:
      thing.made: {{when: now, payload: {{thing_id: uuid}}}}
      thing.failed: {{when: now, payload: {{thing_id: uuid}}}}
  b-service:
    consumes:
      thing.made: {{action: {json.dumps(HOSTILE)}}}
      thing.failed: {{action: undo it}}
event_bus:
  technology: kafka
  topics:
    things: {{events: [thing.made, thing.failed]}}
"""


@cache
def food() -> ResolvedCatalog:
    catalog = load_catalog(FOOD).catalog
    assert catalog is not None
    return catalog


@cache
def hostile_flow() -> ResolvedCatalog:
    loaded = load_catalog_text(HOSTILE_FLOW, "evil.yaml")
    assert loaded.catalog is not None, loaded.findings
    return loaded.catalog


def _flow(catalog: ResolvedCatalog, name: str) -> SequenceFlow:
    flows = {f.name: f for f in derive_sequences(catalog)}
    assert name in flows, sorted(flows)
    return flows[name]


def _main_path(steps: tuple[Step, ...]) -> list[Message | Note]:
    """The steps along the first branch of every block: the flow as it goes when all goes
    well."""
    out: list[Message | Note] = []
    for step in steps:
        out.extend(_main_path(step.branches[0].steps) if isinstance(step, Block) else [step])
    return out


def _blocks(steps: tuple[Step, ...]) -> list[Block]:
    out: list[Block] = []
    for step in steps:
        if isinstance(step, Block):
            out.append(step)
            for branch in step.branches:
                out.extend(_blocks(branch.steps))
    return out


def _published(steps: list[Message | Note]) -> list[str]:
    return [s.text for s in steps if isinstance(s, Message) and s.target == "bus"]


def _notes(branch: Branch) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for step in _main_path(branch.steps):
        if isinstance(step, Note):
            out.setdefault(step.over, []).append(step.text)
    return out


# ---------------------------------------------------------------- the e-commerce blueprint
def test_every_public_endpoint_that_emits_starts_a_flow() -> None:
    assert [f.name for f in derive_sequences(ecommerce())] == [
        "customer-service-post-v1-customers", "order-service-post-v1-orders",
        "payment-service-post-v1-payments"]


def test_the_order_flow_goes_from_the_client_through_the_gateway_to_shipping() -> None:
    flow = _flow(ecommerce(), "order-service-post-v1-orders")
    assert [p.id for p in flow.participants][:4] == ["client", "gateway", "order_service",
                                                       "bus"]
    steps = _main_path(flow.steps)
    calls = [(s.source, s.target, s.text) for s in steps if isinstance(s, Message)][:4]
    assert calls == [("client", "gateway", "POST /api/v1/orders"),
                     ("gateway", "order_service", "POST /api/v1/orders"),
                     ("order_service", "gateway", "201 Order"),
                     ("gateway", "client", "201 Order")]
    assert _published(steps) == ["order.created", "inventory.reserved", "payment.completed",
                                 "order.confirmed", "shipment.dispatched", "order.shipped"]
    delivered = [(s.target, s.text) for s in steps
                 if isinstance(s, Message) and s.source == "bus"]
    assert ("inventory_service", "order.created") in delivered
    assert ("payment_service", "order.created") in delivered
    assert ("shipping_service", "order.confirmed") in delivered
    notes = [s.text for s in steps if isinstance(s, Note)]
    assert "creates Order (status pending)" in notes
    assert ("Reserve stock for the order items: creates Reservation (status reserved)"
            in notes)
    assert ("Confirm the order: updates Order (status from pending to confirmed)" in notes)


def test_a_failed_payment_is_the_alternative_branch_with_its_compensation() -> None:
    flow = _flow(ecommerce(), "order-service-post-v1-orders")
    [alt] = [b for b in _blocks(flow.steps) if b.kind == "alt"]
    # The blueprint's card limit: the two emits' conditions on the amount can't both hold.
    assert [b.label for b in alt.branches] == ["when amount <= 1000",
                                              "when amount > 1000: failure, compensation"]
    failure = alt.branches[1]
    assert _published(_main_path(failure.steps)) == ["payment.failed", "order.cancelled"]
    notes = _notes(failure)
    assert notes["order_service"] == [
        "compensation: Cancel the order: updates Order (status from pending to cancelled)"]
    assert notes["inventory_service"] == [
        "compensation: Release the reserved stock: updates Reservation (status from reserved "
        "to released)"]


def test_flow_files_match_the_committed_golden_tree() -> None:
    files = flow_files(ecommerce(), ("mermaid", "plantuml", "svg"))
    assert len(files) == 3 * 3
    for file in files:
        golden = GOLDEN / file.path
        assert golden.read_text(encoding="utf-8") == file.content, (
            f"{file.path} differs: regenerate generated/ecommerce (tests/test_golden.py)")


def test_flows_do_not_depend_on_the_order_of_the_catalog() -> None:
    text = (ROOT / "blueprints" / "ecommerce" / "catalog.yaml").read_text(encoding="utf-8")
    head, _, services_and_rest = text.partition("\nservices:\n")
    body, _, rest = services_and_rest.partition("\nevent_bus:\n")
    blocks = ["  " + b for b in body.split("\n\n  ")]
    blocks[0] = blocks[0][2:]
    shuffled = head + "\nservices:\n" + "\n\n".join(reversed(blocks)) + "\n\nevent_bus:\n" + rest
    reordered = load_catalog_text(shuffled).catalog
    assert reordered is not None and list(reordered.services) != list(ecommerce().services)
    assert ([seq_text.mermaid(f) for f in derive_sequences(reordered)]
            == [seq_text.mermaid(f) for f in derive_sequences(ecommerce())])


# ---------------------------------------------------------------- well-formed text
CATALOGS = {"ecommerce": ecommerce, "food": food, "hostile": hostile_flow}


@pytest.mark.parametrize("name", CATALOGS)
def test_mermaid_and_plantuml_are_well_formed(name: str) -> None:
    flows = derive_sequences(CATALOGS[name]())
    assert flows
    for flow in flows:
        assert mermaid_problems(seq_text.mermaid(flow)) == [], flow.name
        assert plantuml_problems(seq_text.plantuml(flow)) == [], flow.name


def test_the_syntax_checks_find_what_would_break_a_diagram() -> None:
    good = seq_text.mermaid(_flow(ecommerce(), "order-service-post-v1-orders"))
    assert mermaid_problems(good.replace("Note over order_service: creates Order",
                                         "Note over order_service: creates; Order"))
    assert mermaid_problems(good.replace("    end\n", "", 1))
    assert mermaid_problems(good.replace("client->>gateway", "nobody->>gateway", 1))
    assert mermaid_problems(good.replace("    alt ", "    opt ", 1))  # else outside an alt
    puml = seq_text.plantuml(_flow(ecommerce(), "order-service-post-v1-orders"))
    assert plantuml_problems(puml.replace("@enduml\n", ""))
    assert plantuml_problems(puml.replace("note over order_service : creates Order",
                                          'note over order_service : creates "Order"'))
    assert plantuml_problems(puml.replace("client -> gateway", "nobody -> gateway", 1))


def test_hostile_text_stays_inside_its_statement() -> None:
    flow = derive_sequences(hostile_flow())[0]
    mermaid, plantuml = seq_text.mermaid(flow), seq_text.plantuml(flow)
    assert mermaid.count("\n    end\n") == 1 and plantuml.count("@enduml") == 1
    for text in (mermaid, plantuml):  # the newline in the text did not start a statement
        assert not [line for line in text.splitlines() if line.strip().startswith("alt evil")]
    assert "evil" in mermaid and "evil" in plantuml  # the words are kept, as text
    svg = seq_svg.render(flow)
    root = ET.fromstring(svg)
    assert not [e for e in root.iter() if "id" in e.attrib]  # many can share a page
    assert "<b>" not in svg and "${x}" in "".join(root.itertext())


def test_the_failure_alternative_of_an_endpoint_is_its_compensation_branch() -> None:
    flow = derive_sequences(hostile_flow())[0]
    [alt] = _blocks(flow.steps)
    assert [b.label for b in alt.branches] == ["thing.made",
                                              "thing.failed: failure, compensation"]
    assert _notes(alt.branches[1]) == {"b_service": ["compensation: undo it"]}


# ---------------------------------------------------------------- conditions and loops
CONDITIONS = """
archgen: 1
system: {name: food}
services:
  delivery-service:
    models:
      Delivery: {id: uuid, total: decimal, status: {enum: [picked_up, delivered]}}
    endpoints:
      PUT /api/v1/deliveries/{id}/status:
        request: Delivery
        response: Delivery
        emits:
          - {event: delivery.completed, when: {status: delivered}}
          - {event: delivery.large, when: {status: delivered, total: {gt: 100}}}
    publishes:
      delivery.completed: {when: delivered, payload: {delivery_id: uuid}}
      delivery.large: {when: delivered, payload: {delivery_id: uuid}}
  ping-service:
    models:
      Ping: {id: uuid, delivery_id: uuid}
    consumes:
      delivery.completed: {create: Ping, copy: {delivery_id: delivery_id}, emits: [ping.sent]}
      pong.sent: {create: Ping, copy: {delivery_id: delivery_id}, emits: [ping.sent]}
    publishes:
      ping.sent: {when: always, payload: {delivery_id: uuid}}
  pong-service:
    models:
      Pong: {id: uuid, delivery_id: uuid}
    consumes:
      ping.sent: {create: Pong, copy: {delivery_id: delivery_id}, emits: [pong.sent]}
    publishes:
      pong.sent: {when: always, payload: {delivery_id: uuid}}
"""


def _conditions() -> SequenceFlow:
    loaded = load_catalog_text(CONDITIONS, "conditions.yaml")
    assert loaded.catalog is not None, loaded.findings
    [flow] = derive_sequences(loaded.catalog)
    return flow


def test_conditions_that_can_hold_together_are_separate_opt_blocks() -> None:
    flow = _conditions()
    blocks = [s for s in flow.steps if isinstance(s, Block)]
    assert [(b.kind, [br.label for br in b.branches]) for b in blocks] == [
        ("opt", ["when status = delivered"]),
        ("opt", ["when status = delivered, total > 100"])]


def test_a_flow_that_loops_is_drawn_once_round_and_says_so() -> None:
    flow = _conditions()
    steps = _main_path(flow.steps)
    assert _published(steps) == ["delivery.completed", "ping.sent", "pong.sent",
                                 "ping.sent", "delivery.large"]
    assert Note("pong_service", "handles ping.sent again: the flow loops") in steps


# ---------------------------------------------------------------- the food-delivery catalog
def test_the_food_delivery_catalog_passes_validation() -> None:
    result = run_archgen("validate", str(FOOD))
    assert result.code == 0, result.out + result.err
    assert "All checks passed" in result.out


def test_food_delivery_accept_or_reject_is_an_alt_with_the_refund_as_compensation() -> None:
    flow = _flow(food(), "restaurant-service-put-v1-tickets-id-status")
    [alt] = [b for b in _blocks(flow.steps) if b.kind == "alt"]
    accepted, rejected = alt.branches
    assert accepted.label == "when status = accepted"
    assert _published(_main_path(accepted.steps)) == ["ticket.accepted", "courier.assigned"]
    assert "Assign a courier: creates Delivery (courier next-available, status assigned)" in \
        _notes(accepted)["delivery_service"]
    assert rejected.label == "when status = rejected: failure, compensation"
    assert _published(_main_path(rejected.steps)) == ["ticket.rejected", "order.rejected",
                                                      "payment.refunded"]
    assert _notes(rejected)["billing_service"] == [
        "compensation: Refund the customer: updates Payment (status from authorized to "
        "refunded)"]


def test_food_delivery_bills_only_when_delivered() -> None:
    flow = _flow(food(), "delivery-service-put-v1-deliveries-id-status")
    [opt] = _blocks(flow.steps)
    assert (opt.kind, opt.branches[0].label) == ("opt", "when status = delivered")
    assert _published(_main_path(opt.branches[0].steps)) == [
        "delivery.completed", "order.delivered", "payment.captured"]
    assert "Bill the customer: updates Payment (status from authorized to captured)" in \
        _notes(opt.branches[0])["billing_service"]


def test_food_delivery_order_flow_waits_for_the_restaurant() -> None:
    steps = _main_path(_flow(food(), "order-service-post-v1-orders").steps)
    assert Note("restaurant_service", "waits for PUT /api/v1/tickets/{id}/status") in steps
    assert _published(steps) == ["order.placed", "payment.authorized"]


def test_archgen_diagram_writes_the_food_delivery_sequence_diagrams(tmp_path: Path) -> None:
    result = run_archgen("diagram", str(FOOD), "-o", str(tmp_path), "--view", "flows")
    assert result.code == 0, result.err
    names = ["delivery-service-put-v1-deliveries-id-status", "order-service-post-v1-orders",
             "restaurant-service-put-v1-tickets-id-status"]
    written = sorted(p.name for p in (tmp_path / "flows").iterdir())
    assert written == sorted(f"{n}.{ext}" for n in names for ext in ("mmd", "puml", "svg"))
    for name in names:
        assert mermaid_problems((tmp_path / "flows" / f"{name}.mmd").read_text()) == []
        assert plantuml_problems((tmp_path / "flows" / f"{name}.puml").read_text()) == []
        ET.parse(tmp_path / "flows" / f"{name}.svg")
    assert f"Start with {tmp_path / 'flows' / names[0]}.svg" in result.out


# ---------------------------------------------------------------- failure paths as declared
def _blueprint_with(*renames: tuple[str, str]) -> ResolvedCatalog:
    text = (ROOT / "blueprints" / "ecommerce" / "catalog.yaml").read_text(encoding="utf-8")
    for old, new in renames:
        text = text.replace(old, new)
    loaded = load_catalog_text(text, "catalog.yaml")
    assert loaded.catalog is not None, loaded.errors
    return loaded.catalog


def test_a_failure_event_is_the_one_compensated_by_names_whatever_its_name() -> None:
    catalog = _blueprint_with(("payment.failed", "payment.outcome_x"))
    [alt] = [b for b in _blocks(_flow(catalog, "order-service-post-v1-orders").steps)
             if b.kind == "alt"]
    assert [b.label for b in alt.branches] == ["when amount <= 1000",
                                              "when amount > 1000: failure, compensation"]
    notes = _notes(alt.branches[1])
    assert notes["order_service"] == [
        "compensation: Cancel the order: updates Order (status from pending to cancelled)"]
    assert notes["inventory_service"] == [
        "compensation: Release the reserved stock: updates Reservation (status from reserved "
        "to released)"]
    [alt] = _blocks(_flow(catalog, "payment-service-post-v1-payments").steps)
    assert [b.label for b in alt.branches] == ["payment.completed",
                                              "payment.outcome_x: failure, compensation"]


def test_a_name_that_sounds_like_failure_is_not_one_when_the_catalog_declares_its_own() -> None:
    catalog = _blueprint_with(("payment.completed", "payment.rejected"))
    [alt] = [b for b in _blocks(_flow(catalog, "order-service-post-v1-orders").steps)
             if b.kind == "alt"]
    assert [b.label for b in alt.branches] == ["when amount <= 1000",
                                              "when amount > 1000: failure, compensation"]
    assert "compensation" not in " ".join(
        s.text for s in _main_path(alt.branches[0].steps) if isinstance(s, Note))


def test_only_the_declared_compensations_are_drawn_as_compensation() -> None:
    """The notifier's email on the failure path undoes nothing: no step of its service
    names the failure in `compensated_by`."""
    [alt] = [b for b in _blocks(_flow(ecommerce(), "order-service-post-v1-orders").steps)
             if b.kind == "alt"]
    assert _notes(alt.branches[1])["notification_service"] == [
        "Ask the customer to update the payment method",
        "Tell the customer the order was cancelled"]


DEADLINE = """
archgen: 1
system: {name: kitchen}
gateway: {technology: envoy}
services:
  order-service:
    models:
      Order: {id: uuid, status: {enum: [placed, cancelled]}}
    endpoints:
      POST /api/v1/orders:
        request: Order
        response: Order
        emits: [order.placed]
        compensated_by: [ticket.lapsed]
    publishes:
      order.placed: {payload: {order_id: uuid}}
    consumes:
      ticket.lapsed:
        action: Cancel the order
        update: Order
        match: {id: order_id}
        set: {status: cancelled}
  kitchen-service:
    data_store: {type: relational, technology: postgresql}
    models:
      Ticket: {id: uuid, order_id: uuid, status: {enum: [waiting, accepted]}}
    publishes:
      ticket.lapsed: {payload: {order_id: uuid}}
    consumes:
      order.placed:
        action: Open a ticket
        create: Ticket
        copy: {order_id: order_id}
        set: {status: waiting}
        within: 15m
        on_timeout: ticket.lapsed
event_bus:
  technology: kafka
  topics:
    orders: {events: [order.placed], dead_letter: true}
    tickets: {events: [ticket.lapsed], dead_letter: true}
"""


def test_a_deadline_is_an_opt_branch_whose_timeout_event_runs_the_compensation() -> None:
    loaded = load_catalog_text(DEADLINE, "deadline.yaml")
    assert loaded.catalog is not None, loaded.errors
    [flow] = derive_sequences(loaded.catalog)
    [opt] = _blocks(flow.steps)
    assert (opt.kind, [b.label for b in opt.branches]) == (
        "opt", ["no change within 15m: ticket.lapsed, failure, compensation"])
    assert _published(_main_path(opt.branches[0].steps)) == ["ticket.lapsed"]
    assert _notes(opt.branches[0]) == {"order_service": [
        "compensation: Cancel the order: updates Order (status cancelled)"]}
    assert mermaid_problems(seq_text.mermaid(flow)) == []
    assert plantuml_problems(seq_text.plantuml(flow)) == []
