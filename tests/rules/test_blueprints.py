"""The shipped blueprints are the reference: zero findings of any severity."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rules.helpers import BLUEPRINTS, findings_of


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda p: p.parent.name)
def test_blueprint_is_clean(path: Path) -> None:
    findings = findings_of(path)
    assert findings == [], [f"{f.code} {f.message}" for f in findings]
