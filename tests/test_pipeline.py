"""Every command that turns a catalog into something runs the one pipeline
(archgen.pipeline): the same refusal, the same report, one context per run."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgen import generation, pipeline
from tests.helpers import FIXED_DAY, ROOT, run_archgen
from tests.test_secrets import CATALOG

BLUEPRINT = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
BROKEN = "archgen: 1\nsystem: {name: shop}\nservices:\n  orders: {nope: 1}\n"


def _command(index: int, catalog: Path, out: Path) -> list[str]:
    """Each command's way of turning the catalog into files (or printing them)."""
    return [["generate", str(catalog), "--only", "openapi", "-o", str(out)],
            ["docs", str(catalog), "-o", str(out)],
            ["export", "backstage", str(catalog), "-o", str(out)],
            ["export", "structurizr", str(catalog)],
            ["diagram", str(catalog), "--view", "system", "-f", "mermaid", "-o", str(out)]
            ][index]


@pytest.mark.parametrize("index", range(5))
def test_an_inline_secret_fails_every_command_that_writes(tmp_path: Path, index: int) -> None:
    """The outputs are written redacted, and the run fails until the secret is gone,
    whichever command wrote them."""
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG)
    result = run_archgen(*_command(index, catalog, tmp_path / "out"))
    assert result.code == 1, result
    assert "value(s) that look like secrets are redacted" in result.err, result
    assert "inline secret(s) (AG604)" in result.err, result


@pytest.mark.parametrize("index", range(5))
def test_every_command_refuses_a_catalog_that_does_not_load_the_same_way(
        tmp_path: Path, index: int) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(BROKEN)
    result = run_archgen(*_command(index, catalog, tmp_path / "out"))
    assert result.code == 1, result
    assert result.out.endswith("Nothing written: fix the errors above first.\n"), result
    assert not (tmp_path / "out").exists()


def test_up_builds_the_plan_once_for_its_files_and_its_gateway(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `up` regenerates and the gateway bootstrap it runs read one context."""
    built = []
    real = generation.build_context
    monkeypatch.setattr(generation, "build_context",
                        lambda *a, **k: built.append(1) or real(*a, **k))
    run = pipeline.prepare(BLUEPRINT, FIXED_DAY)
    assert run is not None
    pipeline.refresh(run, tmp_path)
    bootstrap = pipeline.gateway_config(run)({"order-service": ("127.0.0.1", 9)}, None, 8000)
    assert (tmp_path / "services" / "order-service").is_dir()
    assert bootstrap["static_resources"]["listeners"][0]["address"]["socket_address"][
        "port_value"] == 8000
    assert len(built) == 1
