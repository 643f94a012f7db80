"""The team's handlers for inventory-service: created once by archgen, then yours.

Define an async function with one of these names to replace the default
behaviour (the service kit's defaults.py) of that endpoint or reaction; archgen
never rewrites this file.

- get_v1_inventory_by_sku
- get_v1_inventory_reservations_by_order_id
- put_v1_inventory_by_sku
- on_order_created
- on_order_cancelled

Endpoint handlers get the runtime (store, clients, settings), then the path
parameters and the body; they return a model or a dict. Reaction handlers
(`on_<event>`) get the store's unit of work and the event's payload, e.g.:

    async def on_order_created(unit, payload):
        ...

The default behaviour is the service kit's, given this service's spec: a handler
that adds to it calls `await defaults.react(SPEC, unit, "order.created", payload)`
(`from archgen_service_kit import defaults`, `from .spec import SPEC`).

Routes of your own go on an `APIRouter` named `router` in this file: they are
served after the catalog's, and `archgen drift` reports them until the catalog
lists them.
"""

from __future__ import annotations
