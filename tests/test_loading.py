"""The YAML loader: positions, duplicates, merges, traps, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from archgen.findings import Severity, Span
from archgen.loading import MAX_DEPTH, load_yaml_text

POSITIONS = """\
archgen: 1
system:
  name: shop
services:
  order-service:
    depends_on:
      payment-service: {timeout_ms: 800}
    tags: [a, b]
"""


def test_every_node_has_its_span() -> None:
    loaded = load_yaml_text(POSITIONS, "c.yaml")
    values = loaded.source_map.values
    assert values[("archgen",)] == Span(1, 10, 1, 11)
    assert values[("system", "name")] == Span(3, 9, 3, 13)
    timeout = ("services", "order-service", "depends_on", "payment-service", "timeout_ms")
    assert values[timeout] == Span(7, 37, 7, 40)
    assert values[("services", "order-service", "tags", 1)] == Span(8, 15, 8, 16)
    assert loaded.source_map.keys[timeout] == Span(7, 25, 7, 35)


def test_missing_nodes_point_at_their_nearest_ancestor() -> None:
    loaded = load_yaml_text(POSITIONS, "c.yaml")
    span = loaded.source_map.span(("services", "order-service", "nfr", "availability"))
    assert span == loaded.source_map.values[("services", "order-service")]


def test_duplicate_keys_report_both_positions() -> None:
    loaded = load_yaml_text("a:\n  b: 1\n  c: 2\n  b: 3\n", "c.yaml")
    [finding] = loaded.findings
    assert finding.code == "AG002"
    assert finding.location.span == Span(4, 3, 4, 4)
    assert finding.related[0].span == Span(2, 3, 2, 4)
    assert "line 2" in finding.message


def test_merge_keys_are_not_duplicates_and_explicit_keys_win() -> None:
    text = "base: &b {x: 1, y: 2}\nmore: &m {z: 0}\nd:\n  <<: [*b, *m]\n  y: 3\n"
    loaded = load_yaml_text(text)
    assert loaded.findings == []
    assert loaded.data["d"] == {"x": 1, "y": 3, "z": 0}


@pytest.mark.parametrize(("text", "code", "shown"), [
    ("region: no\n", "AG005", "False"),
    ("flag: on\n", "AG005", "True"),
    ("version: 1.10\n", "AG006", "1.1"),
    ("window: 1:30\n", "AG006", "90"),
    ("mode: 0755\n", "AG006", "493"),
])
def test_yaml11_traps_are_warnings(text: str, code: str, shown: str) -> None:
    [finding] = load_yaml_text(text).findings
    assert (finding.code, finding.severity) == (code, Severity.WARNING)
    assert shown in finding.message
    assert "quote it" in finding.hint


@pytest.mark.parametrize("text", ["a: true\n", "a: '1.10'\n", "a: 1.5\n", "a: 10\n",
                                  "a: \"no\"\n", "a: 1.0\n"])
def test_no_trap_where_yaml_and_people_agree(text: str) -> None:
    assert load_yaml_text(text).findings == []


def test_depth_limit_is_checked_before_recursion() -> None:
    ok = load_yaml_text("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    assert ok.findings == []
    deep = load_yaml_text("[" * 100_000 + "]" * 100_000)
    assert [f.code for f in deep.findings] == ["AG003"]
    assert deep.data is None


def test_aliases_count_their_expansion() -> None:
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 8):
        prev, cur = chr(96 + i), chr(97 + i)
        levels.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    loaded = load_yaml_text("\n".join(levels) + "\n")
    assert [f.code for f in loaded.findings] == ["AG003"]


def test_unknown_alias_is_a_syntax_finding() -> None:
    loaded = load_yaml_text("a: *nowhere\n")
    assert [f.code for f in loaded.findings] == ["AG001"]


@pytest.mark.parametrize("text", ["a: !!python/name:os.system x\n", "a: !custom x\n",
                                  "a: !!binary aGk=\n", "a: !!set {x}\n"])
def test_unsafe_and_unknown_tags_are_refused(text: str) -> None:
    assert [f.code for f in load_yaml_text(text).findings] == ["AG008"]


def test_syntax_error_has_position() -> None:
    [finding] = load_yaml_text("a: [1, 2\nb: 3\n", "c.yaml").findings
    assert finding.code == "AG001"
    assert finding.location.span is not None and finding.location.span.line == 2


@pytest.mark.slow  # ~12 s: builds and loads a 2,000-service catalog
def test_a_big_real_catalog_is_not_mistaken_for_a_bomb() -> None:
    # 2.5M literal nodes (more than a 10,000-service catalog) load; only aliases are capped.
    text = "x: [" + ",".join(["1"] * 2_500_000) + "]\n"
    loaded = load_yaml_text(text)
    assert loaded.findings == []
    assert len(loaded.data["x"]) == 2_500_000


@pytest.mark.parametrize("text", ["a:\n\tb: 1\n", "a:\n  b: 1\n\t\n", "a:\n  \tb: 1\n"])
def test_a_tab_in_indentation_is_called_a_tab(text: str) -> None:
    [finding] = load_yaml_text(text, "c.yaml").findings
    assert finding.code == "AG001"
    assert "a tab character" in finding.message and "spaces" in finding.hint


def test_full_format_shows_the_tab() -> None:
    from archgen.reporting import RunResult
    from archgen.reporting.text import render_full
    from archgen.validation import validate_text

    report = validate_text("archgen: 1\nsystem:\n\tname: shop\n", "c.yaml")
    out = render_full(RunResult([report], 1))
    assert "3 | →name: shop" in out and "tab" in out


def test_a_folder_stands_for_its_catalog_yaml(tmp_path: Path) -> None:
    from archgen.catalog import load_catalog

    (tmp_path / "catalog.yaml").write_text("archgen: 1\nsystem: {name: s}\nservices: {}\n")
    result = load_catalog(tmp_path)
    assert result.catalog is not None and result.file == str(tmp_path / "catalog.yaml")


def test_a_folder_without_catalog_yaml_says_so(tmp_path: Path) -> None:
    from archgen.catalog import load_catalog
    from archgen.errors import ArchgenError

    (tmp_path / "shop.yaml").write_text("archgen: 1\n")
    with pytest.raises(ArchgenError) as info:
        load_catalog(tmp_path)
    assert "is a folder without a catalog.yaml" in info.value.message
    assert "shop.yaml" in info.value.hint


def test_a_syntax_error_after_a_yaml_only_line_break_stays_in_the_file() -> None:
    # libyaml breaks lines at NEL (U+0085); the file has one line by the editor's count.
    [finding] = load_yaml_text("?\x850", "c.yaml").findings
    assert finding.location.span == Span(1, 1, 1, 1)
