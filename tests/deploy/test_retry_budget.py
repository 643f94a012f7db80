"""Every call's retries are the catalog's: the client's attempts times the mesh's.

Read from the generated files themselves (the services' `clients.py`, the mesh's
VirtualServices and ServiceProfiles), for every `depends_on` edge of every blueprint
under each mesh technology and of a 200-service synthetic catalog. Two layers that
both retry multiply (3 x 3 = 9 calls for one logical call): a retry storm.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archgen.catalog import load_catalog_text
from archgen.generators.mesh import MeshGenerator
from archgen.generators.services import ServicesGenerator
from archgen.model.deployment import package_name
from archgen.model.resolved import ResolvedCatalog
from bench.synth import make_catalog
from tests.deploy.conftest import load_all
from tests.helpers import ROOT, ctx_of

BLUEPRINTS = sorted((ROOT / "blueprints").glob("*/catalog.yaml"))
# `"payment-service": PaymentServiceClient("payment-service", settings.x, 0.06, 3, ...`
_CLIENT = re.compile(r'"(?P<callee>[^"]+)": \w+Client\(\s*"[^"]+",\s*settings\.\w+,\s*'
                     r"(?P<timeout_s>[\d.]+),\s*(?P<attempts>\d+),")


def _with_mesh(text: str, technology: str) -> str:
    """The catalog with its `mesh:` section (and the section's indented lines) replaced."""
    kept, skipping = [], False
    for line in text.splitlines():
        if line.startswith("mesh:"):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "#")) or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    return "\n".join(kept) + f"\nmesh: {{technology: {technology}, mtls: strict}}\n"


def _resolved(text: str, name: str) -> ResolvedCatalog:
    loaded = load_catalog_text(text, name)
    assert loaded.catalog is not None, [f.message for f in loaded.findings]
    return loaded.catalog


def _client_attempts(catalog: ResolvedCatalog) -> dict[tuple[str, str], tuple[float, int]]:
    """(caller, callee) -> (timeout s, attempts) as the generated clients make them."""
    ctx = ctx_of(catalog)
    found: dict[tuple[str, str], tuple[float, int]] = {}
    for file in ServicesGenerator().plan(ctx):  # type: ignore[arg-type]
        if not file.path.endswith("/clients.py") or file.path.startswith("services/_kit/"):
            continue  # the kit's client base has no callee of its own
        caller = next(n for n in catalog.services
                      if f"/{package_name(n)}/clients.py" in file.path)
        for m in _CLIENT.finditer(str(file.content)):
            found[caller, m["callee"]] = (float(m["timeout_s"]), int(m["attempts"]))
    return found


def _mesh_attempts(catalog: ResolvedCatalog) -> dict[tuple[str, str], tuple[int, float | None]]:
    """(caller, callee) -> (attempts, timeout s) the mesh makes for one client attempt."""
    files = {f.path: str(f.content) for f in MeshGenerator().plan(ctx_of(catalog))}  # type: ignore[arg-type]
    found: dict[tuple[str, str], tuple[int, float | None]] = {}
    if "deploy/mesh/istio.yaml" in files:
        for doc in load_all(files["deploy/mesh/istio.yaml"]):
            if doc["kind"] != "VirtualService":
                continue
            for route in doc["spec"]["http"]:
                # Istio retries twice when a route says nothing: absent means 3 attempts.
                retries = route.get("retries", {"attempts": 2})["attempts"]
                timeout = float(route["timeout"].rstrip("s")) if "timeout" in route else None
                callers = [m["sourceLabels"]["app.kubernetes.io/name"]
                           for m in route.get("match", [])] or ["*"]
                for caller in callers:
                    found[caller, doc["spec"]["hosts"][0]] = (1 + retries, timeout)
    if "deploy/mesh/linkerd.yaml" in files:
        for doc in load_all(files["deploy/mesh/linkerd.yaml"])[1:]:
            callee = doc["metadata"]["name"].split(".")[0]
            retryable = any(r.get("isRetryable") for r in doc["spec"]["routes"])
            # A retryable route may be retried within the budget's ratio: count it as 2.
            found["*", callee] = (2 if retryable else 1, None)
    return found


def _check(catalog: ResolvedCatalog) -> int:
    app = _client_attempts(catalog)
    mesh = _mesh_attempts(catalog)
    checked = 0
    for caller, svc in catalog.services.items():
        for dep in svc.dependencies:
            if not dep.known or dep.target not in catalog.services:
                continue
            timeout_s, app_attempts = app[caller, dep.target]
            mesh_attempts, mesh_timeout = mesh.get((caller, dep.target),
                                                   mesh.get(("*", dep.target), (1, None)))
            assert app_attempts * mesh_attempts == dep.attempts, (caller, dep.target)
            # The mesh's timeout never cuts the client's last attempt short.
            if mesh_timeout is not None:
                assert mesh_timeout >= timeout_s * app_attempts, (caller, dep.target)
            # Undeclared callers (the default route) get no retries either.
            assert mesh.get(("*", dep.target), (1, None))[0] == 1
            checked += 1
    return checked


@pytest.mark.parametrize("technology", ["istio", "linkerd", "none"])
@pytest.mark.parametrize("blueprint", BLUEPRINTS, ids=lambda p: Path(p).parent.name)
def test_every_blueprint_edge_makes_the_catalogs_attempts(blueprint: Path,
                                                          technology: str) -> None:
    text = _with_mesh(blueprint.read_text(encoding="utf-8"), technology)
    catalog = _resolved(text, str(blueprint))
    edges = _check(catalog)
    if blueprint.parent.name == "ecommerce":
        assert edges >= 4


@pytest.mark.slow
def test_every_edge_of_a_200_service_catalog_makes_the_catalogs_attempts() -> None:
    catalog = _resolved(make_catalog(200, 7), "synth-200.yaml")
    assert _check(catalog) > 100
