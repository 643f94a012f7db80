"""The suite's own rules: a missing validator skips locally and fails under CI=true."""

from __future__ import annotations

import os

import pytest

from tests.tools import ROOT, missing


def test_a_missing_validator_skips_on_a_developer_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="@asyncapi/specs is not installed"):
        missing("@asyncapi/specs", "run `npm ci`")


def test_a_missing_validator_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: a missing validator fails"):
        missing("@asyncapi/specs", "run `npm ci`")


@pytest.mark.slow  # three pytest subprocesses
def test_slow_tests_are_deselected_by_default_and_run_in_ci(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.delenv("CI", raising=False)
    pytester.makeconftest("from tests.conftest import *  # noqa: F403\n")
    pytester.makepyfile("""
        import pytest

        @pytest.mark.slow
        def test_slow():
            pass

        def test_fast():
            pass
    """)
    pytester.makeini("[pytest]\nmarkers = slow: slow\n")
    local = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    local.assert_outcomes(passed=1, deselected=1)
    asked = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", "--slow")
    asked.assert_outcomes(passed=2)
    monkeypatch.setenv("CI", "true")
    ci = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    ci.assert_outcomes(passed=2)
