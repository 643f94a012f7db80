"""The team's handlers for order-service: created once by archgen, then yours.

Define an async function with one of these names to replace the default
behaviour (the service kit's defaults.py) of that endpoint or reaction; archgen
never rewrites this file.

- post_v1_orders
- get_v1_orders_by_id
- put_v1_orders_by_id_status
- get_v1_orders_customer_by_customer_id
- on_payment_completed
- on_payment_failed
- on_inventory_reserved
- on_shipment_dispatched

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
