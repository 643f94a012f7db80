"""Which SQL table holds which model of a relational service: the catalog's `tables`.

A listed table holds the model whose snake name, or its plural, is the table's name
(`orders` and `order` hold `Order`, `order_items` holds `OrderItem`; a schema before a
dot is ignored). A model the service stores (the response of an endpoint that creates,
reads, updates or lists it, or the model of a reaction) gets a table of its own; a model
that is the item type of a list in a stored model (`items: list[OrderItem]`) gets one
when a listed table names it, with a row per item, else the list stays a JSON column of
its owner's row. With no `tables` listed, every stored model gets its plural snake name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archgen.model.fieldtypes import TypeRef
from archgen.model.names import snake
from archgen.model.resolved import Endpoint, Service

_RELATIONAL = frozenset({"postgresql", "sqlite"})


def plural(word: str) -> str:
    """The English plural of a snake name's last word (`order_item` -> `order_items`,
    `category` -> `categories`, `address` -> `addresses`)."""
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def table_of(model: str) -> str:
    """The table a model gets when `tables` does not name one: its plural snake name."""
    return plural(snake(model))


def response_model(ep: Endpoint, svc: Service) -> tuple[str | None, bool]:
    """The service's model an endpoint answers, and whether it answers a list of them."""
    ref = ep.response
    if ref is None:
        return None, False
    if ref.kind == "model" and ref.name in svc.models:
        return ref.name, False
    if ref.kind == "list" and ref.item and ref.item.kind == "model" and ref.item.name in svc.models:
        return ref.item.name, True
    return None, False


def action(ep: Endpoint, model: str | None, many: bool) -> str:
    """What the default behaviour of an endpoint does with its model:
    create | read | update | upsert | list | none."""
    if model is None:
        return "none"
    if many:
        return "list" if ep.method == "GET" else "none"
    if ep.method == "POST" and not ep.path_params:
        return "create"
    if ep.method == "GET" and ep.path_params:
        return "read"
    if ep.method == "PUT" and ep.path_params:
        same = ep.request is not None and ep.request.kind == "model" and ep.request.name == model
        return "upsert" if same else "update"
    return "none"


def endpoint_action(ep: Endpoint, svc: Service) -> tuple[str, str | None]:
    """What the default behaviour of one of the service's endpoints does, and with which
    of its models: the one decision the generated service, the diagrams and the smoke and
    load tests share."""
    model, many = response_model(ep, svc)
    return action(ep, model, many), model


def create_endpoint(svc: Service) -> Endpoint | None:
    """The endpoint that creates a resource (the first, in catalog order): a POST on a
    collection answering one of the service's models, with or without a body."""
    return next((ep for ep in svc.endpoints if endpoint_action(ep, svc)[0] == "create"),
                None)


# A list endpoint answers a page (the service kit's paging.py): PAGE_LIMIT items unless the
# request's `limit` asks for fewer or more, never more than PAGE_LIMIT_MAX.
PAGE_LIMIT = 50
PAGE_LIMIT_MAX = 200


def pages(ep: Endpoint, svc: Service) -> bool:
    """Whether the endpoint answers its list a page at a time (its default behaviour lists
    stored instances): it takes `limit` and `cursor`, and links the next page."""
    return endpoint_action(ep, svc)[0] == "list"


def stored_models(svc: Service) -> list[str]:
    """The models the service keeps in its store, sorted."""
    names = {m for ep in svc.endpoints for m, many in [response_model(ep, svc)]
             if m is not None and action(ep, m, many) != "none"}
    names |= {s.reaction.model for s in svc.consumes
              if s.reaction is not None and s.reaction.model in svc.models}
    return sorted(names)


def list_item_model(ref: TypeRef, svc: Service) -> str | None:
    """The service's model a `list[Model]` field holds, else None."""
    item = ref.item
    if ref.kind == "list" and item is not None and item.kind == "model" and item.name in svc.models:
        return item.name
    return None


def is_relational(svc: Service) -> bool:
    store = svc.data_store
    if store is None:
        return False
    return store.type == "relational" or (store.type is None and store.technology in _RELATIONAL)


@dataclass(frozen=True)
class TableMap:
    """The tables of one relational service."""

    tables: dict[str, str]  # stored model -> its table
    # (owner model, its list field) -> the table of the list's items
    children: dict[tuple[str, str], str]
    unmatched: list[int] = field(default_factory=list)  # indexes in `tables` naming no model
    untabled: list[str] = field(default_factory=list)  # stored models `tables` has no table for


def _listed_name(entry: str) -> str:
    return entry.rpartition(".")[2].lower()


def table_map(svc: Service) -> TableMap:
    """The service's tables by the rule of this module's docstring."""
    listed = list(svc.data_store.tables) if svc.data_store is not None else []
    names = [_listed_name(t) for t in listed]
    used: set[int] = set()

    def find(model: str) -> str | None:
        wanted = (snake(model), table_of(model))
        for i, name in enumerate(names):
            if name in wanted:
                used.add(i)
                return name
        return None

    tables: dict[str, str] = {}
    untabled: list[str] = []
    stored = stored_models(svc)
    for model in stored:
        found = find(model)
        if found is None and listed:
            untabled.append(model)
        tables[model] = found or table_of(model)
    children: dict[tuple[str, str], str] = {}
    for model in stored:
        for f in svc.models[model].fields:
            item = list_item_model(f.type, svc)
            if item is not None and item not in stored and listed:
                found = find(item)
                if found is not None:
                    children[(model, f.name)] = found
    _number_duplicates(tables, children)
    unmatched = [i for i in range(len(listed)) if i not in used
                 and names[i] not in names[:i]]  # a repeated entry is one table
    return TableMap(tables, children, unmatched, untabled)


def _number_duplicates(tables: dict[str, str], children: dict[tuple[str, str], str]) -> None:
    """Two models whose names read alike (`Stop`, `STOP`), or one item model in two lists,
    get distinct tables: `stop`, `stop_2`."""
    taken: set[str] = set()

    def distinct(table: str) -> str:
        name, number = table, 1
        while name in taken:
            number += 1
            name = f"{table}_{number}"
        taken.add(name)
        return name

    for model, table in tables.items():
        tables[model] = distinct(table)
    for key, table in children.items():
        children[key] = distinct(table)
