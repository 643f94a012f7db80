"""The local gateway's Envoy bootstrap: the gateway generator's, with local addresses.

The gateway generator owns the configuration: routes, JWT, rate limits, CORS. The
pipeline hands the runtime that bootstrap as a `GatewayConfig` bound to the run's plan
(archgen.pipeline.gateway_config), so the runtime never imports a generator.
`archgen up` only points it at 127.0.0.1 ports and the development JWKS, and
moves Envoy's admin to a unix socket in the run's folder that only we can open.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from archgen.runtime.ports import LOCALHOST

Bootstrap = dict[str, Any]


class GatewayConfig(Protocol):
    """The gateway's bootstrap with these upstreams (service -> (host, port)), an inline
    JWKS document instead of the catalog's `jwks_uri`, listening on `listen_port`, sending
    its spans to the OTLP/HTTP URL `traces` (None: no spans)."""

    def __call__(self, upstreams: Mapping[str, tuple[str, int]], jwks: str | None,
                 listen_port: int, traces: str | None = None) -> Bootstrap: ...


def local_bootstrap(config: GatewayConfig, upstreams: Mapping[str, tuple[str, int]],
                    jwks: str | None, listen_port: int, admin_socket: Path,
                    traces: str | None = None) -> Bootstrap:
    """Envoy's bootstrap for this machine."""
    return with_admin(config(upstreams, jwks, listen_port, traces), admin_socket)


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
