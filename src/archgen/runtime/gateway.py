"""The local gateway's Envoy bootstrap: the gateway generator's, with local addresses.

The gateway generator owns the configuration: routes, JWT, rate limits, CORS. Its
`envoy_bootstrap` is a pure function of the generation context, the one generator
function the runtime calls.
`archgen up` only points it at 127.0.0.1 ports and the development JWKS, and
moves Envoy's admin to a unix socket in the run's folder that only we can open.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archgen.runtime.ports import LOCALHOST

if TYPE_CHECKING:
    from archgen.model.resolved import ResolvedCatalog

Bootstrap = dict[str, Any]


def local_bootstrap(catalog: ResolvedCatalog, upstreams: Mapping[str, tuple[str, int]],
                    jwks: str | None, listen_port: int, admin_socket: Path) -> Bootstrap:
    """Envoy's bootstrap for this machine."""
    from datetime import date

    from archgen.generation import build_context
    from archgen.generators.gateway.envoy import envoy_bootstrap

    ctx = build_context(catalog, date.today())  # the date shows in no part of a bootstrap
    bootstrap = envoy_bootstrap(ctx, upstreams=upstreams, jwks=jwks, listen_port=listen_port)
    return with_admin(bootstrap, admin_socket)


ADMIN_SOCKET_MODE = 0o600


def with_admin(bootstrap: Bootstrap, admin_socket: Path) -> Bootstrap:
    """The bootstrap with its admin on the unix socket `admin_socket` (mode 0600, in a
    folder of ours) and every listener on 127.0.0.1.

    A local run listens on this machine only, never on all interfaces; and the admin
    (`/config_dump`, `POST /quitquitquit`) is for the user who ran it, not every local user
    a TCP port would answer.
    """
    admin = dict(bootstrap.get("admin") or {})
    admin["address"] = {"pipe": {"path": str(admin_socket), "mode": ADMIN_SOCKET_MODE}}
    resources = dict(bootstrap.get("static_resources") or {})
    listeners = []
    for listener in resources.get("listeners", []):
        socket = dict(listener.get("address", {}).get("socket_address", {}))
        socket["address"] = LOCALHOST
        listeners.append({**listener, "address": {"socket_address": socket}})
    if listeners:
        resources["listeners"] = listeners
    return {**bootstrap, "admin": admin, "static_resources": resources}
