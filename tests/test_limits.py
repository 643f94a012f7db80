"""What the validator accepts, the generators can make: limits are checked when
validating, with a located finding that names the limit, before anything is rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgen.limits import MAX_TYPE_DEPTH
from tests.helpers import run_archgen


def _catalog(type_text: str) -> str:
    return f"""archgen: 1
system: {{name: deep}}
services:
  a-service:
    models:
      M: {{a: '{type_text}'}}
    endpoints:
      GET /api/v1/x: {{summary: x, response: '{type_text}'}}
"""


@pytest.mark.parametrize("depth", [MAX_TYPE_DEPTH + 1, 320, 1000])
def test_a_type_nested_past_the_limit_is_a_located_finding(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(_catalog("list[" * depth + "str" + "]" * depth))
    result = run_archgen("validate", str(path))
    assert result.code == 1 and "Traceback" not in result.err
    assert f"c.yaml:6:14: error AG014 services.a-service.models.M.a: type nested {depth} " \
           f"levels deep; the limit is {MAX_TYPE_DEPTH}" in result.out
    assert "endpoints.GET /api/v1/x.response: type nested" in result.out
    generated = run_archgen("generate", str(path), "-o", str(tmp_path / "out"))
    assert generated.code == 1 and "Traceback" not in generated.err


def test_a_type_nested_to_the_limit_generates(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    depth = MAX_TYPE_DEPTH
    path.write_text(_catalog("list[" * depth + "str" + "]" * depth))
    result = run_archgen("generate", str(path), "-o", str(tmp_path / "out"), "--only",
                         "openapi,asyncapi")
    assert result.code == 0, result


def test_a_16000_character_bounded_context_is_reported_and_still_drawn(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("archgen: 1\nsystem: {name: big}\nservices:\n  a-service:\n"
                    f"    bounded_context: {'x' * 16000}\n")
    result = run_archgen("validate", str(path))
    assert "c.yaml:5:22: error AG016 services.a-service.bounded_context is 16000 characters" \
           in result.out
    generated = run_archgen("generate", str(path), "-o", str(tmp_path / "out"), "--only",
                            "diagrams")
    assert generated.code == 0, generated
    assert (tmp_path / "out" / "diagrams" / "system.svg").exists()
