"""The diff mode of the GitHub Action's script and the `archgen-diff` pre-commit hook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.diff.support import BASE, case_pair, dump

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "action-diff.sh"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    work = tmp_path / "work"
    work.mkdir()
    (work / "catalog.yaml").write_text(dump(BASE), encoding="utf-8")
    _git(work, "init", "-q", "-b", "main")
    _git(work, "add", ".")
    _git(work, "commit", "-q", "-m", "base")
    _git(work, "checkout", "-q", "-b", "feature")
    (work / "catalog.yaml").write_text(dump(case_pair("endpoint removed")[1]), encoding="utf-8")
    return work


def _action(work: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    outputs = work.parent / "github_output"
    outputs.write_text("")
    full = {**os.environ, "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(work.parent / "summary"),
            "ARCHGEN_ACTION_SARIF": str(work.parent / "archgen.sarif"),
            "ARCHGEN_ACTION_ARGS": "--isolated",
            "ARCHGEN_ACTION_COMMAND": f"{sys.executable} -m archgen", **env}
    if "GITHUB_BASE_REF" not in env:  # the test may itself run on a pull request
        full.pop("GITHUB_BASE_REF", None)
    proc = subprocess.run(["bash", str(SCRIPT)], env=full, capture_output=True, text=True,
                          timeout=120, check=False, cwd=work)
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return proc, values


def test_action_diff_annotates_and_records_the_exit_code(repo: Path) -> None:
    proc, outputs = _action(repo, ARCHGEN_ACTION_AGAINST="main")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs["exit-code"] == "1"
    assert any(line.startswith("::error file=catalog.yaml,") and "AGD101" in line
               for line in proc.stdout.splitlines()), proc.stdout
    sarif = json.loads((repo.parent / "archgen.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["AGD101"]
    assert "### archgen diff against main" in (repo.parent / "summary").read_text()


def test_action_diff_defaults_to_the_pull_request_base(repo: Path) -> None:
    remote = repo.parent / "remote.git"
    _git(repo.parent, "clone", "-q", "--bare", str(repo), str(remote))
    _git(repo, "remote", "add", "origin", str(remote))
    proc, outputs = _action(repo, GITHUB_BASE_REF="main")  # origin/main is fetched
    assert outputs["exit-code"] == "1", proc.stdout + proc.stderr


def test_action_diff_without_a_base_fails_the_step(repo: Path) -> None:
    proc, outputs = _action(repo)
    assert proc.returncode == 2 and outputs["exit-code"] == "2"
    assert "needs a base ref" in proc.stdout


def test_pre_commit_diff_hook_runs_against_head(repo: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "archgen-diff")
    entry = hook["entry"].split()
    assert entry[:2] == ["archgen", "diff"] and "--against" in entry
    # pre-commit appends `args`, then the changed file names, to `entry`.
    command = [sys.executable, "-m", "archgen", *entry[1:], "--isolated", "catalog.yaml"]
    proc = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 1 and "AGD101" in proc.stdout, proc.stdout + proc.stderr
    _git(repo, "commit", "-qam", "remove the endpoint")
    proc = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
