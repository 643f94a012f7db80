"""Checked against oasdiff's documented checks on the generated OpenAPI documents.

For each endpoint and model change of tests/diff/support.py: every ERR-level
oasdiff check that fires between the OLD and NEW documents (one per service
and the gateway's) must be a breaking change for archgen diff, every WARN at
least a possibly breaking one. See oasdiff_checks.py for why oasdiff itself
does not run here.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
import yaml

from archgen.catalog import load_catalog_text
from archgen.findings import Severity
from archgen.generators.openapi import OpenApiGenerator
from tests.diff.oasdiff_checks import oasdiff_breaking
from tests.diff.support import CASES, Data, case_pair, diff_data, dump
from tests.helpers import ctx_of

API_CASES = sorted(n for n, (_, code) in CASES.items()
                   if code[:4] in ("AGD1", "AGD2", "AGD5") or n == "service removed")


def _documents(data: Data) -> dict[str, Any]:
    result = load_catalog_text(dump(data), "c.yaml")
    assert result.catalog is not None
    files = OpenApiGenerator().plan(ctx_of(result.catalog))  # type: ignore[arg-type]
    return {f.path: yaml.safe_load(f.content) for f in files}


@functools.cache  # both tests read every case's documents: generate them once
def _hits(name: str) -> list[tuple[str, str, str]]:
    old, new = (_documents(d) for d in case_pair(name))
    return [hit for path, doc in old.items()
            for hit in oasdiff_breaking(doc, new.get(path, {"paths": {}}))]


@pytest.mark.parametrize("name", API_CASES)
def test_oasdiff_levels_are_met(name: str) -> None:
    hits = _hits(name)
    found = diff_data(*case_pair(name))
    worst = max((f.severity.rank for f in found), default=0)
    if any(level == "ERR" for _, level, _ in hits):
        assert worst >= Severity.ERROR.rank, (name, hits, [(f.code, f.message) for f in found])
    elif hits:
        assert worst >= Severity.WARNING.rank, (name, hits, [(f.code, f.message) for f in found])


def test_the_emulated_checks_fire() -> None:
    """The comparison is not vacuous: the endpoint cases trigger the checks they mirror."""
    fired = {check for name in API_CASES for check, _, _ in _hits(name)}
    assert {"api-removed-without-deprecation", "new-required-request-property",
            "response-required-property-removed", "request-property-removed",
            "new-required-request-parameter", "response-success-status-removed"} <= fired, fired
