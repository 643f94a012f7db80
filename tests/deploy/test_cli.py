"""`archgen generate --only <deploy kinds>` through the real CLI, then `--check`."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import ECOMMERCE, run_archgen


def test_only_selects_deploy_kinds_and_check_passes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = run_archgen("generate", str(ECOMMERCE), "-o", str(out), "--only", "gateway,mesh")
    assert run.code == 0, run.err
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                   if p.is_file() and p.name not in (".archgen-manifest.json",
                                                      ".archgen-cache.json"))
    assert files == ["deploy/gateway/envoy.yaml", "deploy/gateway/kong.yaml",
                     "deploy/mesh/istio.yaml"]
    check = run_archgen("generate", str(ECOMMERCE), "-o", str(out), "--only", "gateway,mesh",
                        "--check")
    assert check.code == 0, check.out + check.err
