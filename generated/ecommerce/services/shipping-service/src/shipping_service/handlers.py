"""The team's handlers for shipping-service: created once by archgen, then yours.

A handler here replaces the default behaviour (the service kit's defaults) of one
endpoint or reaction. `handlers_api.py`, which archgen keeps up to date with the
catalog, names every one (`OVERRIDABLE`) and types each: register yours on
`implement` and mypy checks it against its endpoint's request and response models:

    from . import models
    from .handlers_api import Runtime, implement
    from .repositories import ...  # a typed repository per stored model

    @implement.post_v1_things  # an endpoint's operationId, in snake case
    async def create_thing(runtime: Runtime, body: models.NewThing) -> models.Thing:
        async with runtime.store.unit() as unit:
            ...

Endpoint handlers get the runtime (store, clients, settings), then the path
parameters and the body, and return the response model (or a dict it reads: what
they return is validated against it). Reaction handlers (`@implement.on_<event>`)
get the store's unit of work and the event's payload. A function named after an
endpoint or reaction (`async def post_v1_things(runtime, body)`) replaces it too.

The default behaviour is the service kit's, given this service's spec: a handler
that adds to it calls `await defaults.react(SPEC, unit, "thing.created", payload)`
(`from archgen_service_kit import defaults`, `from .spec import SPEC`).

Routes of your own go on an `APIRouter` named `router` in this file: they are
served after the catalog's, and `archgen drift` reports them until the catalog
lists them. They get the runtime as a FastAPI dependency:
`async def report(runtime: RuntimeDep) -> ...` (`from .handlers_api import RuntimeDep`).
"""

from __future__ import annotations
