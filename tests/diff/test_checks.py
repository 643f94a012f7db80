"""Each diff code, produced by a real change to the e-commerce blueprint, located and worded."""

from __future__ import annotations

from typing import Any

import pytest

from archgen.findings import Severity
from archgen.rules.diff_codes import DIFF_CODES
from tests.diff.support import BASE, CASES, case_pair, changed, diff_data

# Codes without a case here, and why.
UNCASED = {
    "AGD107": "query parameters are covered in test_fields_and_query",
    "AGD108": "query parameters are covered in test_fields_and_query",
    "AGD207": "needs a model nothing uses: test_unused_model_change_is_compatible",
    "AGD302": "needs an event nobody consumes: test_unconsumed_event_removed",
    "AGD306": "needs two producers: test_required_payload_field_shared_schema",
    "AGD402": "needs an unused service: test_unused_service_removed",
    "AGD318": "the blueprint has no deadline: test_deadline_removed_or_changed",
}


def test_every_code_has_a_case() -> None:
    covered = {code for _, code in CASES.values()} | set(UNCASED)
    assert covered == set(DIFF_CODES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_produces_its_code(name: str) -> None:
    old, new = case_pair(name)
    found = diff_data(old, new)
    code = CASES[name][1]
    mine = [f for f in found if f.code == code]
    assert mine, (name, [(f.code, f.message) for f in found])
    for f in mine:
        assert f.location.span is not None and f.location.file in ("old.yaml", "new.yaml")
        assert "\n" not in f.message and f.severity is DIFF_CODES[code].severity


def test_removed_endpoint_names_its_callers_and_the_gateway() -> None:
    old, new = case_pair("endpoint removed")
    [finding] = diff_data(old, new)
    assert finding.location.file == "old.yaml"  # removals point at the OLD catalog
    assert finding.related and finding.related[0].file == "new.yaml"
    assert "removes `GET /api/v1/orders/{id}` of order-service" in finding.message
    assert "notification-service (depends_on)" in finding.message
    assert "shipping-service (depends_on)" in finding.message
    assert "the gateway aggregation GET /api/v1/mobile/orders/{id}/summary" in finding.message
    assert finding.message.endswith("public through the gateway")


def test_changes_are_located_in_the_new_catalog() -> None:
    old, new = case_pair("partitions decreased")
    [finding] = diff_data(old, new)
    assert finding.location.file == "new.yaml"
    assert finding.location.pointer == ("event_bus", "topics", "orders", "partitions")


def test_renamed_event_is_one_change_not_removal_and_addition() -> None:
    old, new = case_pair("event renamed")
    found = diff_data(old, new)
    assert [f.code for f in found] == ["AGD303"], [(f.code, f.message) for f in found]
    assert "order.created is now order.placed" in found[0].message


def test_renamed_service_is_one_change() -> None:
    old, new = case_pair("service renamed")
    found = diff_data(old, new)
    assert [f.code for f in found] == ["AGD403"], [(f.code, f.message) for f in found]
    assert found[0].location.pointer == ("services", "payments", "x-renamed-from")


def test_service_removed_names_dependents_and_consumers() -> None:
    old, new = case_pair("service removed")
    removed = next(f for f in diff_data(old, new) if f.code == "AGD401")
    assert "order-service (depends_on)" in removed.message


def test_unused_service_removed() -> None:
    old = changed(lambda d: d["services"].__setitem__("spare-service", {}))
    assert [f.code for f in diff_data(old, BASE)] == ["AGD402"]


def test_unconsumed_event_removed() -> None:
    old = changed(lambda d: d["services"]["customer-service"]["publishes"].__setitem__(
        "customer.deleted", "Closed"))
    assert [f.code for f in diff_data(old, BASE)] == ["AGD302"]


def test_required_payload_field_shared_schema() -> None:
    def second_producer(d: dict[str, object]) -> None:
        services = d["services"]
        assert isinstance(services, dict)
        services["shipping-service"]["publishes"]["order.shipped"] = {
            "when": "Handed over", "payload": {"order_id": "uuid"}}

    def add_required(d: dict[str, object]) -> None:
        services = d["services"]
        assert isinstance(services, dict)
        services["shipping-service"]["publishes"]["order.shipped"]["payload"]["carrier"] = "str"

    old = changed(second_producer)
    found = diff_data(old, changed(add_required, old))
    assert [f.code for f in found] == ["AGD306"]
    assert "also published by order-service" in found[0].message
    # With one producer the same addition breaks nobody: consumers ignore new fields.
    alone = changed(lambda d: d["services"]["order-service"]["publishes"]["order.created"][
        "payload"].__setitem__("channel", "str"))
    assert [f.severity for f in diff_data(BASE, alone)] == [Severity.INFO]


def test_unused_model_change_is_compatible() -> None:
    def add(d: dict[str, object]) -> None:
        d["services"]["order-service"]["models"]["Draft"] = {"id": "uuid"}  # type: ignore[index]

    def retype(d: dict[str, object]) -> None:
        d["services"]["order-service"]["models"]["Draft"]["id"] = "str"  # type: ignore[index]

    old = changed(add)
    assert [f.code for f in diff_data(old, changed(retype, old))] == ["AGD207"]


def test_fields_and_query() -> None:
    route = "GET /api/v1/orders/customer/{customerId}"

    def with_query(spec: object) -> object:
        return lambda d: d["services"]["order-service"]["endpoints"][route].__setitem__(
            "query", {"size": spec})

    old = changed(with_query({"type": "int", "required": False, "maximum": 100}))  # type: ignore[arg-type]
    narrowed = changed(with_query({"type": "int", "required": False, "maximum": 50}))  # type: ignore[arg-type]
    retyped = changed(with_query({"type": "str", "required": False}))  # type: ignore[arg-type]
    widened = changed(with_query({"type": "int", "required": False, "maximum": 500}))  # type: ignore[arg-type]
    assert [f.code for f in diff_data(old, narrowed)] == ["AGD108"]
    assert "maximum 100.0 -> 50.0" in diff_data(old, narrowed)[0].message
    assert [f.code for f in diff_data(old, retyped)] == ["AGD108"]
    assert diff_data(old, widened) == []
    assert [f.code for f in diff_data(old, BASE)] == ["AGD107"]


def test_removed_gateway_drops_its_versions_and_aggregations() -> None:
    found = diff_data(BASE, changed(lambda d: d.pop("gateway")))
    codes = {f.code for f in found}
    assert {"AGD501", "AGD503", "AGD504"} <= codes, sorted(codes)


def _payment_deadline(within: str | None) -> Any:
    def change(data: Any) -> None:
        reaction = data["services"]["payment-service"]["consumes"]["order.created"]
        if within is not None:
            reaction.update({"within": within, "on_timeout": "payment.failed"})
    return change


@pytest.mark.parametrize(("within", "removed"), [("30m", False), (None, True)])
def test_deadline_removed_or_changed(within: str | None, removed: bool) -> None:
    old = changed(_payment_deadline("15m"))
    found = [f for f in diff_data(old, changed(_payment_deadline(within))) if f.code == "AGD318"]
    assert [f.severity for f in found] == [Severity.ERROR]
    assert found[0].location.file == ("old.yaml" if removed else "new.yaml")
    assert ("lost its deadline (15m, then payment.failed)" if removed
            else "now times out after 30m with payment.failed (was 15m, payment.failed)"
            ) in found[0].message


def test_a_changed_condition_is_worded_as_the_catalog_reads() -> None:
    old, new = case_pair("reaction condition added")
    [finding] = [f for f in diff_data(old, new) if f.code == "AGD316"]
    assert finding.message == ("order-service's reaction to payment.completed now runs when "
                               "amount > 0 (was always)")
