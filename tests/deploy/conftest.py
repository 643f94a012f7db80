"""Fixtures for the deployment outputs: the blueprint's context, its planned files, tools.

Every validator these tests call is a real one. Locally a missing tool skips its
test with the install hint; under CI=true it fails (tests/tools.py), so CI can never
go green by silently checking nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from archgen.catalog import load_catalog
from archgen.generators import GENERATORS
from archgen.output import GenerationContext
from tests.helpers import ECOMMERCE, ROOT, ctx_of
from tests.tools import NODE_MODULES, missing


def tool(name: str, hint: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing(name, hint)
    return found


@pytest.fixture(scope="session")
def shop_ctx() -> GenerationContext:
    loaded = load_catalog(ECOMMERCE)
    assert loaded.catalog is not None
    ctx = ctx_of(loaded.catalog)
    assert isinstance(ctx, GenerationContext)
    return ctx


@pytest.fixture(scope="session")
def plan_of(shop_ctx: GenerationContext) -> Callable[[str], dict[str, str]]:
    """The blueprint's files of one generator kind: path -> text."""
    def plan(kind: str) -> dict[str, str]:
        return {f.path: str(f.content) for f in GENERATORS[kind].plan(shop_ctx)}
    return plan


@pytest.fixture(scope="session")
def deploy_tree(tmp_path_factory: pytest.TempPathFactory,
                shop_ctx: GenerationContext) -> Path:
    """Every deploy kind of the blueprint written to a temporary folder (as `generate` does)."""
    root = tmp_path_factory.mktemp("shop")
    for kind in ("gateway", "compose", "helm", "mesh", "observability"):
        for file in GENERATORS[kind].plan(shop_ctx):
            path = root / file.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(file.data)
    return root


def load_all(text: str) -> list[Any]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


CRD_SCRIPT = Path(__file__).with_name("crd_validate.mjs")


def crd_errors(objects: list[dict[str, Any]], tmp_path: Path) -> list[str]:
    """Each object checked against its published CRD schema (node + @kubernetes-models)."""
    node = tool("node", "install Node.js 18+")
    for package in ("istio", "prometheus-operator"):
        if not (NODE_MODULES / "@kubernetes-models" / package).exists():
            missing(f"@kubernetes-models/{package}", "run `npm ci` in the repository root")
    path = tmp_path / "objects.json"
    path.write_text(json.dumps(objects), encoding="utf-8")
    run = subprocess.run([node, str(CRD_SCRIPT), str(path)], capture_output=True, text=True,
                         timeout=120, check=False, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert len(report) == len(objects)
    return [f"{r['kind']}/{r['name']}: {r['error']}" for r in report if r["error"]]
