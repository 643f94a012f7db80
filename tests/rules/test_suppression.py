"""Suppressions at every level; suppressed findings kept and counted; stale ones reported."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from archgen.cli import run
from archgen.validation import FileReport, validate_text

TODAY = date(2026, 6, 1)
SHARED = """\
archgen: 1
system: {name: shop}
services:
  a:
    bounded_context: Orders<A>
  b:
    bounded_context: Orders<B>
"""


def shared(a: str = "", b: str = "") -> str:
    return SHARED.replace("<A>", a).replace("<B>", b)


def _check(text: str) -> FileReport:
    return validate_text(text, "c.yaml", today=TODAY)


def _codes(report: FileReport) -> list[str]:
    return [f.code for f in report.findings]


def test_unsuppressed_baseline() -> None:
    assert "AG301" in _codes(_check(shared(a="", b="")))


def test_inline_comment_suppresses_its_node_and_keeps_the_finding() -> None:
    text = shared(a="  # archgen: ignore[AG301] -- split planned for Q3", b="")
    report = _check(text)
    assert "AG301" not in _codes(report)
    [hidden] = [s for s in report.suppressed if s.finding.code == "AG301"]
    assert hidden.kind == "inline" and hidden.justification == "split planned for Q3"
    assert not {"AG900", "AG902"} & set(_codes(report))


def test_inline_comment_covers_a_subtree_and_accepts_slugs() -> None:
    text = shared(a="", b="").replace(
        "services:", "services:  # archgen: ignore[bounded-context-shared,AG3] -- legacy")
    report = _check(text)
    assert not any(c.startswith("AG3") for c in _codes(report))
    assert len(report.suppressed) >= 1


def test_comment_on_its_own_line_applies_to_the_next_line() -> None:
    text = shared(a="", b="").replace(
        "  a:\n", "  # archgen: ignore[AG301] -- owned by two teams until the split\n  a:\n")
    assert "AG301" not in _codes(_check(text))


def test_comment_elsewhere_does_not_suppress_and_is_unused() -> None:
    text = shared(a="", b="").replace("system: {name: shop}",
                                             "system: {name: shop}  # archgen: ignore[AG301] -- x")
    codes = _codes(_check(text))
    assert "AG301" in codes and "AG902" in codes


def test_missing_reason_and_expiry() -> None:
    no_reason = shared(a="  # archgen: ignore[AG301]", b="")
    report = _check(no_reason)
    assert "AG301" not in _codes(report) and "AG900" in _codes(report)
    expired = shared(a="  # archgen: ignore[AG301] until 2026-01-31 -- temporary", b="")
    report = _check(expired)
    assert "AG301" in _codes(report) and "AG901" in _codes(report)
    future = shared(a="  # archgen: ignore[AG301] until 2026-12-31 -- temporary", b="")
    assert "AG301" not in _codes(_check(future))


def test_unknown_code_in_a_suppression() -> None:
    report = _check(shared(a="  # archgen: ignore[AG777] -- typo", b=""))
    assert "AG903" in _codes(report)


def test_ignore_file_covers_root_findings() -> None:
    text = "# archgen: ignore-file[AG100,AG200] -- not deployed yet\n" + shared(a="", b="")
    codes = _codes(_check(text))
    assert "AG100" not in codes and "AG200" not in codes and "AG301" in codes


def test_x_archgen_ignore_in_data() -> None:
    text = shared(a="\n    x-archgen-ignore: {AG301: shared with b during migration}",
                         b="")
    report = _check(text)
    assert "AG301" not in _codes(report)
    assert [s.kind for s in report.suppressed if s.finding.code == "AG301"] == ["data"]
    with_until = shared(
        a="\n    x-archgen-ignore:\n      AG301: {reason: migration, until: 2026-02-01}", b="")
    assert {"AG301", "AG901"} <= set(_codes(_check(with_until)))


def test_rules_block_ignore_with_path_and_severity() -> None:
    text = shared(a="", b="") + (
        "rules:\n  severity: {AG100: warning, mesh-missing: 'off'}\n  ignore:\n"
        "    - {rule: AG301, path: services.a, reason: legacy}\n"
        "    - {rule: AG303, path: 'services.*', reason: SLAs come later}\n"
        "    - {rule: AG604, path: services.zzz, reason: stale}\n")
    report = _check(text)
    by_code = {f.code: f for f in report.findings}
    assert "AG301" not in by_code and "AG303" not in by_code and "AG200" not in by_code
    assert by_code["AG100"].severity.value == "warning"
    assert "AG902" in by_code  # the stale AG604 entry
    assert {s.kind for s in report.suppressed} == {"config"}


def test_rules_block_unknown_code_is_a_finding() -> None:
    report = _check(shared(a="", b="") + "rules: {severity: {AG4242: 'off'}}\n")
    [f] = [f for f in report.findings if f.code == "AG903"]
    assert f.location.span is not None and f.location.span.line == 8


def test_baseline_is_keyed_by_fingerprint_not_line(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(shared(a="", b=""), encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    assert run(["validate", "--isolated", str(catalog), "--write-baseline", str(baseline)]) == 0
    entries = json.loads(baseline.read_text())["findings"]
    assert entries and all(len(e["fingerprint"]) == 32 for e in entries)
    capsys.readouterr()
    # Move everything down three lines: the baseline still matches.
    catalog.write_text("# a\n# b\n# c\n" + shared(a="", b=""), encoding="utf-8")
    assert run(["validate", "--isolated", str(catalog), "--baseline", str(baseline)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("All checks passed") and f"({len(entries)} suppressed)" in out
    # A new problem is not in the baseline.
    catalog.write_text(shared(a="", b="") + "  c: {depends_on: [c]}\n", encoding="utf-8")
    assert run(["validate", "--isolated", str(catalog), "--baseline", str(baseline)]) == 1
    assert "AG309" in capsys.readouterr().out


def test_missing_baseline_is_a_usage_error(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(shared(a="", b=""), encoding="utf-8")
    assert run(["validate", str(catalog), "--baseline", str(tmp_path / "none.json")]) == 2
    assert "baseline file not found" in capsys.readouterr().err


def test_inline_suppressions_work_in_a_utf16_catalog(tmp_path: Path) -> None:
    # The comments are read from the text the loader decoded, whatever its encoding.
    from archgen.validation import validate_file

    text = ("archgen: 1\nsystem: {name: s}\nservices:\n"
            "  a: {}  # archgen: ignore[AG300] -- context decided next sprint\n")
    for encoding in ("utf-8", "utf-16"):
        path = tmp_path / f"{encoding}.yaml"
        path.write_bytes(text.encode(encoding))  # Python's utf-16 writes a BOM
        report = validate_file(path)
        assert report.load is not None and report.load.catalog is not None
        assert "AG300" not in {f.code for f in report.findings}, encoding
        assert [s.finding.code for s in report.suppressed] == ["AG300"], encoding
