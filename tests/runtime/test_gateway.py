"""The Envoy part with the development JWKS: a token from `archgen token` passes, none is 401.

The bootstrap here is a minimal hand-written one (listener, jwt_authn, one
route), standing in for the gateway generator's.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from archgen.runtime import devkeys
from archgen.runtime.gateway import with_admin
from archgen.runtime.parts import Envoy, Service
from archgen.runtime.ports import free_port
from archgen.runtime.supervisor import Supervisor
from tests.runtime.standin import APP

pytestmark = pytest.mark.slow
ISSUER, AUDIENCE = "https://auth.test.example/", "test-api"


def _bootstrap(port: int, upstream: int, jwks: str) -> dict[str, Any]:
    hcm = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."
    jwt_type = "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication"
    router = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"
    address = {"socket_address": {"address": "127.0.0.1", "port_value": upstream}}
    return {"static_resources": {
        "listeners": [{"name": "main", "address": {"socket_address": {
            "address": "127.0.0.1", "port_value": port}},
            "filter_chains": [{"filters": [{
                "name": "envoy.filters.network.http_connection_manager",
                "typed_config": {"@type": hcm + "HttpConnectionManager", "stat_prefix": "in",
                                 "route_config": {"virtual_hosts": [{
                                     "name": "all", "domains": ["*"], "routes": [{
                                         "match": {"prefix": "/"},
                                         "route": {"cluster": "svc"}}]}]},
                                 "http_filters": [
                                     {"name": "envoy.filters.http.jwt_authn", "typed_config": {
                                         "@type": jwt_type,
                                         "providers": {"dev": {
                                             "issuer": ISSUER, "audiences": [AUDIENCE],
                                             "local_jwks": {"inline_string": jwks}}},
                                         "rules": [{"match": {"prefix": "/"},
                                                    "requires": {"provider_name": "dev"}}]}},
                                     {"name": "envoy.filters.http.router",
                                      "typed_config": {"@type": router}}]}}]}]}],
        "clusters": [{"name": "svc", "type": "STATIC", "connect_timeout": "1s",
                      "load_assignment": {"cluster_name": "svc", "endpoints": [
                          {"lb_endpoints": [{"endpoint": {"address": address}}]}]}}]}}


def test_envoy_accepts_the_dev_token_and_refuses_none(tmp_path: Path) -> None:
    package = tmp_path / "svc" / "src" / "svc_app"
    package.mkdir(parents=True)
    (package / "app.py").write_text(APP, encoding="utf-8")
    key = devkeys.load_or_create(tmp_path / "out")
    service = Service("svc", free_port(), package="svc_app", folder=tmp_path / "svc")
    port, admin = free_port(), tmp_path / "run" / "envoy-admin.sock"
    gateway = Envoy("gateway", port, admin_socket=admin,
                    bootstrap=with_admin(_bootstrap(port, service.port, key.jwks()), admin))
    good = key.sign(devkeys.claims(ISSUER, AUDIENCE, "dev", "free", 600))
    wrong_audience = key.sign(devkeys.claims(ISSUER, "other", "dev", None, 600))

    async def scenario() -> list[int]:
        supervisor = Supervisor(tmp_path / "run", lambda name, line: None)
        (tmp_path / "run").mkdir()
        try:
            await supervisor.start([[service], [gateway]])
            async with httpx.AsyncClient(base_url=gateway.url, timeout=5) as client:
                return [(await client.get("/health/live", headers=h)).status_code for h in (
                    {}, {"Authorization": f"Bearer {good}"},
                    {"Authorization": f"Bearer {wrong_audience}"})]
        finally:
            await supervisor.stop()

    assert asyncio.run(scenario()) == [401, 200, 403]


def test_a_local_bootstrap_listens_on_localhost_only() -> None:
    wide = _bootstrap(8000, 9000, "{}")
    wide["static_resources"]["listeners"][0]["address"]["socket_address"]["address"] = "0.0.0.0"
    local = with_admin(wide, Path("/run/x/envoy-admin.sock"))
    assert local["admin"]["address"] == {"pipe": {"path": "/run/x/envoy-admin.sock",
                                                  "mode": 0o600}}
    assert local["static_resources"]["listeners"][0]["address"] == {
        "socket_address": {"address": "127.0.0.1", "port_value": 8000}}
    assert local["static_resources"]["clusters"] == wide["static_resources"]["clusters"]
