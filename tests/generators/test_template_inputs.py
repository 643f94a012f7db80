"""Templates receive typed objects: every name a template reads is a field of its inputs,
every field is read by a template of its family, and no input is a loose dict or Any."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.meta
import pytest

from archgen.catalog import load_catalog
from archgen.generators.aggregator import AggregatorTemplate
from archgen.generators.docs.explore import Explorer
from archgen.generators.docs.generator import DocumentFacts, HtmlPage, MarkdownPage
from archgen.generators.services.build import service_ir
from archgen.generators.services.ir import FieldIR, plain_type
from archgen.generators.services.kit import KitTemplate
from archgen.generators.services.migrations import RevisionTemplate
from archgen.generators.services.template_inputs import (
    ServiceTemplate,
    ServiceTests,
    service_inputs,
)
from archgen.model.deployment import deployment as build_deployment
from archgen.resources import data_dir
from archgen.templating import environment, render_inputs

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = data_dir("templates")

# Each template family, the templates it holds and the inputs they are rendered with.
FAMILIES: dict[str, tuple[type, ...]] = {
    "services/src": (ServiceTemplate,),
    "services/migrations": (ServiceTemplate, RevisionTemplate),
    "services/tests": (ServiceTemplate, ServiceTests),
    "aggregator": (AggregatorTemplate,),
    "service-kit": (KitTemplate,),
    "docs": (DocumentFacts, MarkdownPage, HtmlPage, Explorer),
}
# Top-level service templates (pyproject.toml, Dockerfile, alembic.ini) read ServiceTemplate.
_TOP = "services"


def _templates(family: str) -> list[Path]:
    folder = TEMPLATES / family
    paths = folder.glob("*.jinja") if family == _TOP else folder.rglob("*.jinja")
    return sorted(paths)


def _reads(path: Path) -> set[str]:
    """The names a template reads from its inputs (not the ones it sets itself: jinja's
    analysis counts a name set inside a loop and read in a later one as undeclared)."""
    tree = environment().parse(path.read_text(encoding="utf-8"))
    targets = [a.target for a in tree.find_all(jinja2.nodes.Assign)]
    assigned = {n.name for t in targets
                for n in [t, *t.find_all(jinja2.nodes.Name)] if isinstance(n, jinja2.nodes.Name)}
    return set(jinja2.meta.find_undeclared_variables(tree)) - assigned


def _fields(*inputs: type) -> set[str]:
    return {f.name for cls in inputs for f in dataclasses.fields(cls)}


@pytest.mark.parametrize("family", [*FAMILIES, _TOP])
def test_every_name_a_template_reads_is_a_field_of_its_inputs(family: str) -> None:
    fields = _fields(*FAMILIES.get(family, (ServiceTemplate,)))
    # The services' Dockerfile serves the aggregator too: it asks `is defined` for these.
    optional = {"kit_distribution", "store_kind"} if family == _TOP else set()
    for path in _templates(family):
        unknown = _reads(path) - fields - optional
        assert not unknown, f"{path.relative_to(TEMPLATES)} reads {sorted(unknown)}"


def test_every_field_is_read_by_a_template() -> None:
    """No input is carried for nothing (a dead field is a decision nobody places)."""
    read = {family: set().union(*(_reads(p) for p in _templates(family)))
            for family in [*FAMILIES, _TOP]}
    services = read["services/src"] | read["services/tests"] | read[_TOP] | read[
        "services/migrations"]
    owners: dict[type, set[str]] = {
        ServiceTemplate: services, ServiceTests: read["services/tests"],
        RevisionTemplate: read["services/migrations"], AggregatorTemplate: read["aggregator"]
        | read[_TOP], KitTemplate: read["service-kit"], DocumentFacts: read["docs"],
        MarkdownPage: read["docs"], HtmlPage: read["docs"], Explorer: read["docs"]}
    for cls, names in owners.items():
        unused = _fields(cls) - names
        assert not unused, f"{cls.__name__}: {sorted(unused)} placed by no template"


@pytest.mark.parametrize("cls", sorted({c for cs in FAMILIES.values() for c in cs},
                                       key=lambda c: c.__name__))
def test_inputs_are_typed_objects_not_loose_data(cls: type) -> None:
    """A field is never `Any` or a dict with `Any` values: what the template gets has a
    type mypy checks where the inputs are built."""
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    for name, hint in typing.get_type_hints(cls).items():
        assert hint is not typing.Any, f"{cls.__name__}.{name} is Any"
        if typing.get_origin(hint) is dict:
            assert typing.get_args(hint)[1] is not typing.Any, f"{cls.__name__}.{name}"


def test_the_blueprints_services_get_their_ir_objects_as_they_are() -> None:
    """The IR reaches the templates unflattened: endpoints and upstreams are the IR's
    own objects, with the values they used to get added as dict keys."""
    loaded = load_catalog(ROOT / "blueprints" / "ecommerce" / "catalog.yaml")
    assert loaded.catalog is not None
    catalog = loaded.catalog
    deployment = build_deployment(catalog)
    ir = service_ir(catalog, deployment, "order-service")
    inputs = service_inputs(catalog.services["order-service"], ir, "1.0.0")
    assert inputs.endpoints is ir.endpoints
    assert inputs.upstreams is ir.upstreams
    get = next(e for e in inputs.endpoints if e.method == "GET" and e.params)
    assert "{" not in get.example_path and get.example_path.startswith("/api/")
    customer = next(u for u in inputs.upstreams if u.service == "customer-service")
    upstream = next(u for u in deployment.services["order-service"].upstreams
                    if u.service == "customer-service")
    assert customer.url == upstream.url
    order = next(r for r in inputs.repositories if r.model == "Order")
    assert order.key_type == "UUID"


def test_plain_types_come_from_the_catalog_type_not_the_annotation_text() -> None:
    loaded = load_catalog(ROOT / "blueprints" / "ecommerce" / "catalog.yaml")
    assert loaded.catalog is not None
    seen: dict[str, str] = {}
    for svc in loaded.catalog.services.values():
        for model in svc.models.values():
            for f in model.fields:
                kind = "enum" if f.spec.enum else (
                    f.type.name if f.type.kind == "scalar" else f.type.kind)
                seen.setdefault(kind, plain_type(f))
    assert seen["uuid"] == "UUID"
    assert seen["int"] == "int"  # not StrictInt: the constraint is the model's
    assert seen["decimal"] == "str"  # decimals travel as text
    assert seen["enum"].startswith("Literal[")
    assert seen.get("list", "Any") == "Any"
    assert FieldIR("x", "str", None).plain == "Any"  # the default says nothing is known


def test_two_inputs_naming_one_field_is_an_error() -> None:
    @dataclass(frozen=True)
    class A:
        service: str

    with pytest.raises(ValueError, match="'service' is given by two inputs"):
        render_inputs("services/Dockerfile.jinja", A("x"), A("y"))
