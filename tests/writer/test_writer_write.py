"""The writer: manifest, updates, user edits, stale files, dry runs, atomicity."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from archgen import writer
from archgen.errors import OutputError
from archgen.output import OutputFile
from archgen.writer import MANIFEST, Action


def out(path: str, content: str | bytes, generator: str = "openapi",
        reproducible: bool = True) -> OutputFile:
    return OutputFile(path, content, generator, reproducible=reproducible)


def actions(result: writer.WriteResult) -> dict[str, Action]:
    return {c.path: c.action for c in result.changes}


def manifest_of(root: Path) -> dict[str, dict[str, object]]:
    data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    files: dict[str, dict[str, object]] = data["files"]
    return files


def test_first_write_creates_files_folders_and_manifest(tmp_path: Path) -> None:
    root = tmp_path / "gen"
    result = writer.write(root, [out("openapi/a.yaml", "a: 1\n"), out("b.yaml", "b\n")],
                          ["openapi"])
    assert actions(result) == {"b.yaml": Action.CREATE, "openapi/a.yaml": Action.CREATE}
    assert (root / "openapi/a.yaml").read_text(encoding="utf-8") == "a: 1\n"
    entry = manifest_of(root)["openapi/a.yaml"]
    assert entry == {"sha256": writer.sha256(b"a: 1\n"), "generator": "openapi",
                     "reproducible": True, "ownership": "managed", "executable": False}
    leftovers = [p.name for p in root.rglob("*") if "tmp" in p.name or "journal" in p.name]
    assert leftovers == []


def test_files_get_the_usual_permissions_not_mkstemps_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        writer.write(tmp_path, [out("a.yaml", "x\n")], ["openapi"])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.yaml").stat().st_mode) == 0o644


def test_second_run_changes_nothing_and_keeps_the_manifest_bytes(tmp_path: Path) -> None:
    files = [out("a.yaml", "x\n")]
    writer.write(tmp_path, files, ["openapi"])
    before = (tmp_path / MANIFEST).read_bytes()
    result = writer.write(tmp_path, files, ["openapi"])
    assert actions(result) == {"a.yaml": Action.UNCHANGED}
    assert (tmp_path / MANIFEST).read_bytes() == before
    assert writer.describe(result.changes) == []


def test_unmodified_file_is_updated_when_the_plan_changes(tmp_path: Path) -> None:
    writer.write(tmp_path, [out("a.yaml", "old\n")], ["openapi"])
    result = writer.write(tmp_path, [out("a.yaml", "new\n")], ["openapi"])
    assert actions(result) == {"a.yaml": Action.UPDATE}
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "new\n"
    assert manifest_of(tmp_path)["a.yaml"]["sha256"] == writer.sha256(b"new\n")


def test_user_edit_is_skipped_and_reported_then_force_overwrites(tmp_path: Path) -> None:
    writer.write(tmp_path, [out("a.yaml", "old\n")], ["openapi"])
    (tmp_path / "a.yaml").write_text("mine\n", encoding="utf-8")
    result = writer.write(tmp_path, [out("a.yaml", "new\n")], ["openapi"])
    assert [c.path for c in result.skipped] == ["a.yaml"]
    assert "--force" in result.skipped[0].reason
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "mine\n"
    # Still recorded with the hash archgen wrote, so the next run sees the edit again.
    assert manifest_of(tmp_path)["a.yaml"]["sha256"] == writer.sha256(b"old\n")
    again = writer.write(tmp_path, [out("a.yaml", "new\n")], ["openapi"])
    assert actions(again) == {"a.yaml": Action.SKIP}
    forced = writer.write(tmp_path, [out("a.yaml", "new\n")], ["openapi"], force=True)
    assert actions(forced) == {"a.yaml": Action.UPDATE}
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "new\n"


def test_file_not_in_manifest_is_never_touched_even_with_force(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("the user's own\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("unrelated\n", encoding="utf-8")
    result = writer.write(tmp_path, [out("a.yaml", "generated\n")], ["openapi"], force=True)
    assert actions(result) == {"a.yaml": Action.SKIP}
    assert "did not write" in result.skipped[0].reason
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "the user's own\n"
    assert (tmp_path / "notes.md").read_text(encoding="utf-8") == "unrelated\n"
    assert not (tmp_path / MANIFEST).exists() or "a.yaml" not in manifest_of(tmp_path)


def test_identical_foreign_file_is_left_alone_and_never_adopted(tmp_path: Path) -> None:
    """Adopting it made archgen delete it later, when it went stale."""
    (tmp_path / "a.yaml").write_text("same\n", encoding="utf-8")
    mtime = (tmp_path / "a.yaml").stat().st_mtime_ns
    result = writer.write(tmp_path, [out("a.yaml", "same\n")], ["openapi"])
    assert actions(result) == {"a.yaml": Action.FOREIGN}
    assert not result.skipped  # identical: nothing for the user to do
    assert (tmp_path / "a.yaml").stat().st_mtime_ns == mtime
    assert "a.yaml" not in manifest_of(tmp_path)
    writer.write(tmp_path, [], ["openapi"])  # the catalog no longer generates it
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "same\n"


def test_stale_unmodified_file_is_removed_with_its_empty_folder(tmp_path: Path) -> None:
    writer.write(tmp_path, [out("old/x.yaml", "x\n"), out("keep.yaml", "k\n")], ["openapi"])
    result = writer.write(tmp_path, [out("keep.yaml", "k\n")], ["openapi"])
    assert actions(result)["old/x.yaml"] is Action.DELETE
    assert not (tmp_path / "old").exists()
    assert "old/x.yaml" not in manifest_of(tmp_path)


def test_stale_folder_with_a_user_file_stays(tmp_path: Path) -> None:
    writer.write(tmp_path, [out("old/x.yaml", "x\n")], ["openapi"])
    (tmp_path / "old/mine.txt").write_text("mine\n", encoding="utf-8")
    writer.write(tmp_path, [], ["openapi"])
    assert not (tmp_path / "old/x.yaml").exists()
    assert (tmp_path / "old/mine.txt").read_text(encoding="utf-8") == "mine\n"


def test_stale_edited_file_is_kept_and_released(tmp_path: Path) -> None:
    writer.write(tmp_path, [out("x.yaml", "x\n")], ["openapi"])
    (tmp_path / "x.yaml").write_text("edited\n", encoding="utf-8")
    result = writer.write(tmp_path, [], ["openapi"], force=True)
    assert actions(result) == {"x.yaml": Action.KEEP}
    assert (tmp_path / "x.yaml").read_text(encoding="utf-8") == "edited\n"
    assert "x.yaml" not in manifest_of(tmp_path)


def test_only_the_generators_that_ran_lose_stale_files(tmp_path: Path) -> None:
    writer.write(tmp_path, [out("o.yaml", "o\n"), out("a.yaml", "a\n", "asyncapi")],
                 ["openapi", "asyncapi"])
    result = writer.write(tmp_path, [out("o.yaml", "o\n")], ["openapi"])
    assert actions(result) == {"o.yaml": Action.UNCHANGED}
    assert (tmp_path / "a.yaml").exists()
    assert set(manifest_of(tmp_path)) == {"o.yaml", "a.yaml"}


def test_dry_run_lists_changes_and_writes_nothing(tmp_path: Path) -> None:
    writer.write(tmp_path, [out("a.yaml", "a\n"), out("gone.yaml", "g\n")], ["openapi"])
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = writer.write(tmp_path, [out("a.yaml", "changed\n"), out("new.yaml", "n\n")],
                          ["openapi"], dry_run=True)
    assert result.dry_run
    assert writer.describe(result.changes) == [
        "update a.yaml", "create new.yaml", "delete gone.yaml (no longer generated)"]
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_bytes_content_is_written_verbatim(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\xff"
    writer.write(tmp_path, [out("d.png", png, "diagrams", reproducible=False)], ["diagrams"])
    assert (tmp_path / "d.png").read_bytes() == png
    assert manifest_of(tmp_path)["d.png"]["reproducible"] is False


def test_failed_replace_leaves_old_content_and_no_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer.write(tmp_path, [out("a.yaml", "old a\n"), out("b.yaml", "old b\n")], ["openapi"])
    real_replace = os.replace

    def failing_replace(src: str, dst: str | Path) -> None:
        if str(dst).endswith("b.yaml"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", failing_replace)
    with pytest.raises(OutputError, match="No space left"):
        writer.write(tmp_path, [out("a.yaml", "new a\n"), out("b.yaml", "new b\n")],
                     ["openapi"])
    monkeypatch.undo()
    assert (tmp_path / "b.yaml").read_text(encoding="utf-8") == "old b\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    # What did get written is recorded: the next run sees a.yaml as archgen's, not as an edit.
    assert manifest_of(tmp_path)["a.yaml"]["sha256"] == writer.sha256(b"new a\n")
    rerun = writer.write(tmp_path, [out("a.yaml", "new a\n"), out("b.yaml", "new b\n")],
                         ["openapi"])
    assert actions(rerun) == {"a.yaml": Action.UNCHANGED, "b.yaml": Action.UPDATE}


def test_corrupt_manifest_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(OutputError, match="not a manifest") as info:
        writer.write(tmp_path, [out("a.yaml", "a\n")], ["openapi"])
    assert "delete it" in info.value.hint
    assert not (tmp_path / "a.yaml").exists()


def test_two_files_with_one_path_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"both produce a\.yaml"):
        writer.write(tmp_path, [out("a.yaml", "1"), out("a.yaml", "2", "asyncapi")],
                     ["openapi", "asyncapi"])
    assert list(tmp_path.iterdir()) == []


def test_a_folder_where_a_file_goes_is_an_error_before_writing(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        writer.write(tmp_path, [out("a.yaml", "a"), out("b.yaml", "b")], ["openapi"])
    assert not (tmp_path / "a.yaml").exists()
