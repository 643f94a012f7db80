"""Paths that would escape the output folder are refused before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archgen import writer
from archgen.errors import OutputError
from archgen.output import OutputFile
from archgen.writer import MANIFEST, Action, DriftKind


def out(path: str, content: str = "x\n", generator: str = "openapi",
        reproducible: bool = True) -> OutputFile:
    return OutputFile(path, content, generator, reproducible=reproducible)


@pytest.mark.parametrize("path", [
    "/etc/passwd", "../outside.yaml", "a/../../outside.yaml", "a/../b.yaml", "./a.yaml",
    "a//b.yaml", "a/", "", "a\\..\\b.yaml", "nul\x00.yaml", MANIFEST,
])
def test_unsafe_paths_are_refused_and_nothing_is_written(tmp_path: Path, path: str) -> None:
    root = tmp_path / "gen"
    with pytest.raises(OutputError, match="refusing to write"):
        writer.write(root, [out("fine.yaml"), out(path)], ["openapi"])
    assert list(tmp_path.iterdir()) == []


def test_symlinked_folder_leading_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "gen"
    root.mkdir()
    (root / "openapi").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError, match="outside"):
        writer.write(root, [out("openapi/a.yaml")], ["openapi"])
    assert list(outside.iterdir()) == []


def test_symlinked_file_leading_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("keep\n", encoding="utf-8")
    root = tmp_path / "gen"
    root.mkdir()
    (root / "a.yaml").symlink_to(outside)
    with pytest.raises(OutputError, match="symbolic link"):
        writer.write(root, [out("a.yaml")], ["openapi"])
    assert outside.read_text(encoding="utf-8") == "keep\n"


def test_output_folder_reached_through_a_symlink_is_fine(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    writer.write(tmp_path / "link", [out("a.yaml")], ["openapi"])
    assert (real / "a.yaml").exists()


def test_tampered_manifest_entry_outside_is_never_deleted(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    root = tmp_path / "gen"
    root.mkdir()
    entry = {"sha256": writer.sha256(b"precious\n"), "generator": "openapi",
             "reproducible": True}
    (root / MANIFEST).write_text(json.dumps(
        {"format": 1, "files": {"../victim.txt": entry, str(victim): entry}}), encoding="utf-8")
    result = writer.write(root, [], ["openapi"])
    assert {c.action for c in result.changes} == {Action.KEEP}
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert writer.check(root, [], ["openapi"]) == []


# ---------------------------------------------------------------- --check
def test_check_is_clean_right_after_writing(tmp_path: Path) -> None:
    files = [out("a.yaml"), out("b/c.yaml")]
    writer.write(tmp_path, files, ["openapi"])
    assert writer.check(tmp_path, files, ["openapi"]) == []


def test_check_reports_missing_changed_and_extra(tmp_path: Path) -> None:
    writer.write(tmp_path, [out("a.yaml"), out("b.yaml"), out("old.yaml")], ["openapi"])
    (tmp_path / "b.yaml").write_text("edited\n", encoding="utf-8")
    drifts = writer.check(tmp_path, [out("a.yaml", "new\n"), out("b.yaml"), out("n.yaml")],
                          ["openapi"])
    assert [(d.path, d.kind) for d in drifts] == [
        ("a.yaml", DriftKind.CHANGED), ("b.yaml", DriftKind.EDITED),
        ("n.yaml", DriftKind.MISSING), ("old.yaml", DriftKind.EXTRA)]
    assert drifts[1].line() == "edited b.yaml: edited by hand since archgen wrote it"
    assert drifts[0].detail == "differs from what the catalog generates"


def test_check_ignores_unmanaged_files_and_other_generators(tmp_path: Path) -> None:
    writer.write(tmp_path, [out("a.yaml"), out("d.svg", "<svg/>", "diagrams")],
                 ["openapi", "diagrams"])
    (tmp_path / "README.md").write_text("mine\n", encoding="utf-8")
    assert writer.check(tmp_path, [out("a.yaml")], ["openapi"]) == []


def test_check_only_wants_presence_of_non_reproducible_files(tmp_path: Path) -> None:
    writer.write(tmp_path, [out("d.png", b"\x89PNG one", "diagrams", False)], ["diagrams"])
    same_kind = [out("d.png", b"\x89PNG two", "diagrams", False)]
    assert writer.check(tmp_path, same_kind, ["diagrams"]) == []
    (tmp_path / "d.png").unlink()
    assert [d.kind for d in writer.check(tmp_path, same_kind, ["diagrams"])] == [
        DriftKind.MISSING]


def test_check_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "gen"
    drifts = writer.check(root, [out("a.yaml")], ["openapi"])
    assert [d.kind for d in drifts] == [DriftKind.MISSING]
    assert not root.exists()


def test_planning_resolves_each_folder_once_not_each_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """200 files in 2 folders: two folder resolutions, none per file (a link still is)."""
    files = [OutputFile(f"{folder}/f{i}.yaml", "x\n", "openapi")
             for folder in ("a", "b/c") for i in range(100)]
    writer.write(tmp_path, files, ["openapi"])
    root = tmp_path.resolve()
    resolved: list[str] = []
    real = Path.resolve

    def counting(self: Path, strict: bool = False) -> Path:
        resolved.append(self.name)
        return real(self, strict)

    monkeypatch.setattr(Path, "resolve", counting)
    changes, _ = writer.plan_changes(root, files, ["openapi"])
    assert {c.action for c in changes} == {Action.UNCHANGED}
    assert sorted(resolved) == ["a", "c"]
