"""AG4xx: Data Stores: database-per-service, known store types and technologies."""

from __future__ import annotations

from collections.abc import Iterator

from archgen.findings import Finding, Pointer, Severity
from archgen.model.base import VOCABULARIES
from archgen.model.tables import is_relational, table_map
from archgen.rules.base import CL_DATABASE, DATA, Rule, RuleContext, rule

_HEAD = "archgen: 1\nsystem: {name: shop}\n"


@rule("AG400", "data-store-missing", "A service documents no data store", Severity.WARNING, DATA,
      checklist=CL_DATABASE,
      explanation="Database-per-service starts with knowing each service's store. A stateless "
                  "service says so with `data_store: {type: none}`.",
      fix="Add `data_store:` (type, technology, name, tables), or `data_store: {type: none}`.",
      bad=_HEAD + "services:\n  a: {bounded_context: A}\n",
      good=_HEAD + "services:\n  a: {data_store: {type: relational, technology: postgresql, "
                   "name: a-db}}\n")
def data_store_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        if svc.data_store is None:
            yield self.finding(ctx, f"{name} has no `data_store` (write `type: none` if it keeps "
                               "no data)", ("services", name), key=True)


# Unqualified names live in the default schema: PostgreSQL's `public`, SQL Server's `dbo`.
_DEFAULT_SCHEMAS = ("public", "dbo")


def table_identity(name: str) -> str:
    """One table however it is written: unquoted SQL names ignore case, and `users` is
    `public.users` (PostgreSQL) or `dbo.users` (SQL Server). `ordering.orders` and
    `billing.orders` are two tables."""
    schema, _, table = name.lower().rpartition(".")
    return table if schema in ("", *_DEFAULT_SCHEMAS) else f"{schema}.{table}"


def _owners(ctx: RuleContext, of: str) -> dict[str, list[tuple[str, Pointer]]]:
    """Store name or table name -> the services that claim it, with where."""
    owners: dict[str, list[tuple[str, Pointer]]] = {}
    for name, svc in ctx.catalog.services.items():
        store = svc.data_store
        if store is None:
            continue
        if of == "store" and store.name:
            owners.setdefault(store.name, []).append((name, ("services", name, "data_store",
                                                             "name")))
        elif of == "table":
            seen: set[str] = set()
            for i, table in enumerate(store.tables):
                if table_identity(table) not in seen:
                    seen.add(table_identity(table))
                    owners.setdefault(table_identity(table), []).append(
                        (name, ("services", name, "data_store", "tables", i)))
    return owners


@rule("AG401", "shared-data-store", "Two services share a data store", Severity.ERROR, DATA,
      checklist=CL_DATABASE,
      explanation="Database-per-service: a store belongs to one service. A shared database "
                  "couples the services' schemas, deployments and failures; other services "
                  "read the data through the owner's API or its events.",
      fix="Give each service its own store; share data through APIs or events.",
      bad=_HEAD + "services:\n  a: {data_store: {name: shop-db}}\n"
                  "  b: {data_store: {name: shop-db}}\n",
      good=_HEAD + "services:\n  a: {data_store: {name: a-db}}\n  b: {data_store: {name: b-db}}\n")
def shared_data_store(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for store, owners in _owners(ctx, "store").items():
        if len(owners) > 1:
            (first, where), *rest = owners
            yield self.finding(ctx, f"data store {store!r} of {first} is shared with "
                               f"{', '.join(n for n, _ in rest)}", where,
                               related=[p for _, p in rest])


@rule("AG402", "table-owned-twice", "Two services own the same table", Severity.ERROR, DATA,
      checklist=CL_DATABASE,
      explanation="A table (collection) is owned by one service. The same table in two "
                  "services' stores means duplicated or shared data without an owner. Names "
                  "may be schema-qualified (`ordering.orders`): tables of different schemas "
                  "differ, case is ignored, and an unqualified name is in the default schema "
                  "(`users` is `public.users` and `dbo.users`).",
      fix="Keep the table in one service; others subscribe to its events or call its API.",
      bad=_HEAD + "services:\n  a: {data_store: {name: a-db, tables: [orders]}}\n"
                  "  b: {data_store: {name: b-db, tables: [orders]}}\n",
      good=_HEAD + "services:\n  a: {data_store: {name: a-db, tables: [orders]}}\n"
                   "  b: {data_store: {name: b-db, tables: [invoices]}}\n")
def table_owned_twice(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for owners in _owners(ctx, "table").values():
        if len({n for n, _ in owners}) > 1:
            (first, where), *rest = owners
            store = ctx.catalog.services[first].data_store
            table = store.tables[int(where[-1])] if store else ""
            yield self.finding(ctx, f"table {table!r} of {first} is also owned by "
                               f"{', '.join(n for n, _ in rest)}", where,
                               related=[p for _, p in rest])


def _store_vocab(code: str, slug: str, attr: str, bad: str, good: str) -> Rule:
    known = VOCABULARIES[f"data_store.{attr}"]

    def check(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
        for name, svc in ctx.catalog.services.items():
            value = getattr(svc.data_store, attr, None) if svc.data_store else None
            if value is not None and value not in known:
                yield self.finding(ctx, f"unknown data store {attr} {value!r} for {name}: "
                                   "generation will skip its database",
                                   ("services", name, "data_store", attr),
                                   hint=self.vocab_hint(value, known))
    return rule(code, slug, f"Unknown data store {attr}", Severity.WARNING, DATA,
                explanation=f"archgen generates databases (compose services, charts, "
                            f"connection settings) for the data store {attr}s it knows: "
                            f"{', '.join(known)}. Others load, and generation skips them.",
                fix=f"Use one of: {', '.join(known)}.", bad=bad, good=good)(check)


data_store_type_unknown = _store_vocab(
    "AG403", "data-store-type-unknown", "type",
    _HEAD + "services:\n  a: {data_store: {type: graph, name: a-db}}\n",
    _HEAD + "services:\n  a: {data_store: {type: document, name: a-db}}\n")
data_store_technology_unknown = _store_vocab(
    "AG404", "data-store-technology-unknown", "technology",
    _HEAD + "services:\n  a: {data_store: {technology: oracle, name: a-db}}\n",
    _HEAD + "services:\n  a: {data_store: {technology: postgresql, name: a-db}}\n")



@rule("AG405", "table-model-mismatch", "A listed table holds no model, or a stored model has "
      "no listed table", Severity.WARNING, DATA,
      explanation="The generated service of a relational store creates the catalog's `tables`: "
                  "each holds the model whose snake name, or its plural, is the table's name "
                  "(`orders` holds `Order`, `order_items` the items of a `list[OrderItem]` "
                  "field). A table no model maps to is not created; a model the service "
                  "stores without a listed table gets its plural snake name, which the list "
                  "does not show.",
      fix="Name each table after the model it holds (`orders` for `Order`), add the model the "
          "table is for, or remove the table from `tables`.",
      bad=_HEAD + "services:\n  a:\n    models: {Order: {id: uuid}}\n"
                  "    endpoints:\n      GET /orders/{id}: {response: Order}\n"
                  "    data_store: {type: relational, name: a-db, tables: [purchases]}\n",
      good=_HEAD + "services:\n  a:\n    models: {Order: {id: uuid}}\n"
                   "    endpoints:\n      GET /orders/{id}: {response: Order}\n"
                   "    data_store: {type: relational, name: a-db, tables: [orders]}\n")
def table_model_mismatch(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for name, svc in ctx.catalog.services.items():
        store = svc.data_store
        if store is None or not store.tables or not is_relational(svc):
            continue
        mapped = table_map(svc)
        for i in mapped.unmatched:
            table = store.tables[i]
            yield self.finding(ctx, f"table {table!r} of {name} holds none of the models it "
                               "stores: it is not created", ("services", name, "data_store",
                                                             "tables", i))
        for model in mapped.untabled:
            yield self.finding(ctx, f"{name} stores {model} but `tables` names no table for "
                               f"it: it is created as {mapped.tables[model]!r}",
                               ("services", name, "data_store", "tables"), key=True)


RULES = (data_store_missing, shared_data_store, table_owned_twice, data_store_type_unknown,
         data_store_technology_unknown, table_model_mismatch)
