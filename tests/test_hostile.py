"""Hostile input ends cleanly: exit 1 or 2, located one-line errors, no traceback."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.helpers import FINDING_LINE, ROOT, run_archgen

CORPUS = ROOT / "tests" / "hostile"

# file -> the code that must be reported for it
EXPECTED = {
    "duplicate_keys.yaml": "AG002",
    "alias_bomb.yaml": "AG003",
    "latin1.yaml": "AG004",
    "path_traversal_names.yaml": "AG013",
    "code_injection_names.yaml": "AG013",
    "template_injection_names.yaml": "AG013",
    "python_tags.yaml": "AG008",
    "multi_document.yaml": "AG008",
    "empty.yaml": "AG011",
    "top_level_list.yaml": "AG011",
    "tab_indentation.yaml": "AG001",
    "unclosed_quote.yaml": "AG001",
    "terminal_escapes.yaml": "AG013",
    "non_string_keys.yaml": "AG013",
    "complex_key.yaml": "AG008",
    "wrong_types.yaml": "AG011",
}


def _generated(tmp: Path) -> dict[str, tuple[Path, str]]:
    """Inputs too big or too binary to commit, made fresh for each run."""
    cases: dict[str, tuple[Path, str]] = {}

    def make(name: str, data: bytes, code: str) -> None:
        path = tmp / name
        path.write_bytes(data)
        cases[name] = (path, code)

    header = b"archgen: 1\nsystem: {name: shop}\nservices: {}\n"
    make("huge_50mb.yaml", header + b"# " + b"x" * (50 * 1024 * 1024) + b"\n", "AG003")
    make("deep_flow.yaml", b"x: " + b"[" * 10_000 + b"]" * 10_000 + b"\n", "AG003")
    make("deep_block.yaml", b"".join(b"  " * i + b"k:\n" for i in range(10_000)), "AG003")
    make("deep_100k.yaml", b"[" * 100_000 + b"]" * 100_000, "AG003")
    junk = random.Random(7).randbytes(4096)
    make("binary_junk.bin", junk, "AG004")
    make("utf16_no_bom.yaml", header.decode().encode("utf-16-le"), "AG004")
    make("huge_key.yaml", header.replace(b"services: {}", b"services:\n  " + b"a" * 1_000_000
                                         + b": {}"), "AG001")  # libyaml: keys <= 1024 chars
    make("nul_in_text.yaml", header + b"x: \x00\n", "AG004")
    return cases


def _corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    cases = {name: (CORPUS / name, code) for name, code in EXPECTED.items()}
    cases.update(_generated(tmp_path_factory.mktemp("hostile")))
    return cases


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return _corpus(tmp_path_factory)


ALL_NAMES = [*EXPECTED, "huge_50mb.yaml", "deep_flow.yaml", "deep_block.yaml", "deep_100k.yaml",
             "binary_junk.bin", "utf16_no_bom.yaml", "huge_key.yaml", "nul_in_text.yaml"]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_hostile_input_ends_cleanly(corpus: dict[str, tuple[Path, str]], name: str) -> None:
    path, code = corpus[name]
    result = run_archgen("validate", str(path))
    assert result.code == 1, result  # findings, never a usage or internal error (2)
    assert "Traceback" not in result.out + result.err
    finding_lines = result.out.splitlines()[:-1]
    assert finding_lines, f"no findings for {name}: {result}"
    for line in finding_lines:
        assert FINDING_LINE.match(line), line
        assert len(line) < 2000, "a finding stays one readable line"
        assert "\x1b" not in line, "terminal escapes from the input are neutralised"
    assert any(f" {code} " in line for line in finding_lines), result.out


def test_every_corpus_file_has_an_expectation() -> None:
    on_disk = {p.name for p in CORPUS.iterdir() if p.suffix == ".yaml"}
    assert on_disk == set(EXPECTED)


def test_template_text_is_never_evaluated(tmp_path: Path) -> None:
    catalog = tmp_path / "c.yaml"
    catalog.write_text("archgen: 1\nsystem: {name: shop}\nservices:\n  '{{7*7}}': {}\n")
    result = run_archgen("validate", "--format", "json", str(catalog))
    messages = [f["message"] for f in json.loads(result.out)["files"][0]["findings"]]
    assert any("'{{7*7}}' is not a valid DNS label" in m for m in messages), messages
    assert not any("49" in m for m in messages)
