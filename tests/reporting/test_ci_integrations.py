"""The pre-commit hook and the GitHub Action's shell step, run as CI would run them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.reporting.helpers import ROOT, SEEDED

SCRIPT = ROOT / "scripts" / "action-validate.sh"
ECOMMERCE = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"


def _action(tmp_path: Path, catalogs: list[Path], args: str = "") -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:  # noqa: E501
    outputs = tmp_path / "github_output"
    summary = tmp_path / "step_summary"
    outputs.write_text("")
    env = {**os.environ, "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary),
           "ARCHGEN_ACTION_CATALOGS": " ".join(str(c) for c in catalogs),
           "ARCHGEN_ACTION_SARIF": str(tmp_path / "archgen.sarif"),
           "ARCHGEN_ACTION_ARGS": f"--isolated {args}".strip(),
           "ARCHGEN_ACTION_COMMAND": f"{sys.executable} -m archgen"}
    proc = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                          timeout=120, check=False, cwd=tmp_path)
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return proc, values


def test_action_script_reports_findings_without_failing_the_step(tmp_path: Path) -> None:
    proc, outputs = _action(tmp_path, [SEEDED])
    assert proc.returncode == 0, proc.stderr
    assert outputs["exit-code"] == "1"
    assert outputs["sarif-file"] == str(tmp_path / "archgen.sarif")
    sarif = json.loads((tmp_path / "archgen.sarif").read_text())
    assert sarif["runs"][0]["results"]
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    assert annotations and all(re.match(r"^::(error|warning|notice) file=", a)
                               for a in annotations)
    summary = (tmp_path / "step_summary").read_text()
    assert "### archgen validate" in summary and "Found " in summary


def test_action_script_clean_catalog(tmp_path: Path) -> None:
    proc, outputs = _action(tmp_path, [ECOMMERCE])
    assert proc.returncode == 0 and outputs["exit-code"] == "0"
    assert json.loads((tmp_path / "archgen.sarif").read_text())["runs"][0]["results"] == []


def test_action_script_fails_the_step_on_usage_errors(tmp_path: Path) -> None:
    proc, outputs = _action(tmp_path, [ECOMMERCE], "--select no-such-rule")
    assert proc.returncode == 2 and outputs["exit-code"] == "2"
    assert "::error::archgen validate stopped with exit code 2" in proc.stdout


def test_action_yml_runs_the_script_and_uploads_sarif() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    run_steps = " ".join(s.get("run", "") for s in steps)
    assert "scripts/action-validate.sh" in run_steps
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "${{ steps.validate.outputs.sarif-file }}"
    for step in steps:  # inputs reach shell steps only through env, never interpolated
        assert "inputs." not in step.get("run", "")


def test_pre_commit_hook_definition_and_command(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "archgen-validate")
    assert hook["language"] == "python"
    pattern = re.compile(hook["files"])
    assert pattern.search("blueprints/ecommerce/catalog.yaml")
    assert not pattern.search("docs/other.yaml")
    # pre-commit appends the matching file names to `entry`.
    entry = hook["entry"].split()
    assert entry[0] == "archgen"
    bad = tmp_path / "catalog.yaml"
    bad.write_text(SEEDED.read_text())
    for files, expected in (([ECOMMERCE], 0), ([ECOMMERCE, bad], 1)):
        proc = subprocess.run([sys.executable, "-m", "archgen", *entry[1:],
                               *(str(f) for f in files)], capture_output=True, text=True,
                              timeout=120, check=False)
        assert proc.returncode == expected, proc.stdout + proc.stderr


def _snapshot(dest: Path) -> Path:
    """The working tree as a fresh git repository: try-repo only sees committed files."""
    for name in ("src", "templates", "blueprints"):
        shutil.copytree(ROOT / name, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, dest / name)
    _git(dest, "init", "-q")
    _git(dest, "add", ".")
    _git(dest, "commit", "-q", "-m", "snapshot")
    return dest


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pre-commit") is None or shutil.which("git") is None,
                    reason="pre-commit is not installed")
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    """The real thing: pre-commit installs archgen from the repository and runs the hook."""
    repo = _snapshot(tmp_path / "archgen")
    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(ECOMMERCE, work / "catalog.yaml")
    (work / "other.yaml").write_text("not: [a catalog\n")  # not matched by `files`
    _git(work, "init", "-q")
    _git(work, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    proc = subprocess.run(["pre-commit", "try-repo", str(repo), "archgen-validate",
                           "--all-files"], cwd=work, env=env, capture_output=True, text=True,
                          timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "archgen validate" in proc.stdout and "Passed" in proc.stdout
    shutil.copy(SEEDED, work / "catalog.yaml")
    proc = subprocess.run(["pre-commit", "try-repo", str(repo), "archgen-validate",
                           "--all-files"], cwd=work, env=env, capture_output=True, text=True,
                          timeout=900, check=False)
    assert proc.returncode == 1 and "AG310" in proc.stdout, proc.stdout[-3000:]
