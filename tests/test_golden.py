"""The committed output of the e-commerce blueprint is exactly what archgen generates now.

Every generator's output under generated/ecommerce/ is a golden file; when a
template or generator changes, regenerate with
`archgen generate blueprints/ecommerce/catalog.yaml -o generated/ecommerce`
and commit the result.
"""

from __future__ import annotations

import json

from tests.helpers import ECOMMERCE, ROOT, run_archgen

GOLDEN = ROOT / "generated" / "ecommerce"


def test_generated_ecommerce_is_up_to_date() -> None:
    result = run_archgen("generate", str(ECOMMERCE), "-o", str(GOLDEN), "--check")
    assert result.code == 0, result.out + result.err
    assert "up to date" in result.out


def test_every_generator_has_golden_output() -> None:
    from archgen.generators import GENERATORS

    files = json.loads((GOLDEN / ".archgen-manifest.json").read_text())["files"]
    generators = {entry["generator"] for entry in files.values()}
    assert generators == set(GENERATORS), "regenerate generated/ecommerce"
    missing = [path for path in files if not (GOLDEN / path).is_file()]
    assert missing == []
