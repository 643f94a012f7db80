"""checkov over everything deploy/ holds, run once per session (it takes ~20 s).

checkov's Helm runner needs a helm binary; the chart is rendered with the Helm
SDK instead and checkov reads the rendered objects (what its Helm runner does).
The Dockerfiles are the generated services': checked when the golden
tree holds them. checkov has no Compose framework: compose.yaml gets its secrets
scan and generic checks only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from archgen.generators.helm.values import CHECKOV_SKIPS
from tests.deploy.conftest import tool
from tests.deploy.test_helm import render
from tests.helpers import ROOT

SERVICES = ROOT / "generated" / "ecommerce" / "services"


@pytest.fixture(scope="module")
def checkov_reports(deploy_tree: Path, tmp_path_factory: pytest.TempPathFactory
                    ) -> list[dict[str, Any]]:
    checkov = tool("checkov", "scripts/test.sh installs it in .venv-checkov")
    root = tmp_path_factory.mktemp("checkov")
    shutil.copytree(deploy_tree / "deploy", root / "deploy")
    rendered = root / "rendered"
    rendered.mkdir()
    for i, obj in enumerate(render(deploy_tree / "deploy/helm/shop",
                                   {"kafkaTopics": {"enabled": True}})):
        (rendered / f"{i:03d}-{obj['kind']}.yaml").write_text(yaml.safe_dump(obj))
    for dockerfile in sorted(SERVICES.glob("*/Dockerfile")):
        target = root / "services" / dockerfile.parent.name / "Dockerfile"
        target.parent.mkdir(parents=True)
        shutil.copy(dockerfile, target)
    run = subprocess.run([checkov, "-d", str(root), "--skip-download", "--compact",
                          "-o", "json"], capture_output=True, text=True, timeout=900,
                         check=False)
    report = json.loads(run.stdout)
    return report if isinstance(report, list) else [report]


def test_checkov_finds_no_failed_check_and_every_skip_is_justified(
        checkov_reports: list[dict[str, Any]]) -> None:
    """One test, so that parallel workers never run checkov twice."""
    failed = [(r["check_type"], f["check_id"], f["file_path"], f["resource"])
              for r in checkov_reports for f in r["results"]["failed_checks"]]
    assert failed == []
    assert "kubernetes" in {r["check_type"] for r in checkov_reports}
    assert sum(r["summary"]["passed"] for r in checkov_reports) > 400
    # Each skip is a `checkov.io/skipN: ID=reason` annotation the chart writes (values.py).
    skipped = [s for r in checkov_reports for s in r["results"].get("skipped_checks", [])]
    reasons = dict(CHECKOV_SKIPS)
    assert skipped and all(reasons.get(s["check_id"]) for s in skipped)
