"""`generate`'s document sees the same rule results as `archgen validate` would."""

from __future__ import annotations

from archgen.catalog import load_catalog_text
from archgen.docs.results import rule_results

BARE = "archgen: 1\nsystem: {name: s}\nservices: {a: {}}\n"


def _codes(text: str) -> set[str]:
    result = load_catalog_text(text)
    assert result.catalog is not None
    findings, _ = rule_results(result.catalog)
    return {f.code for f in findings}


def test_the_catalogs_rules_block_applies() -> None:
    assert "AG100" in _codes(BARE)
    ignored = BARE + "rules: {ignore: [{rule: AG100, reason: no gateway yet}]}\n"
    assert "AG100" not in _codes(ignored)
    assert "AG200" in _codes(ignored)
    off = BARE + "rules: {severity: {AG200: 'off'}}\n"
    assert "AG200" not in _codes(off)
