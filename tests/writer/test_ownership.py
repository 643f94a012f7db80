"""Managed vs scaffold files, file modes, and the manifest's two formats."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from archgen import writer
from archgen.output import OutputFile, Ownership
from archgen.writer import MANIFEST, Action, DriftKind


def managed(path: str, content: str = "x\n", executable: bool = False) -> OutputFile:
    return OutputFile(path, content, "services", executable=executable)


def scaffold(path: str, content: str = "# yours\n") -> OutputFile:
    return OutputFile(path, content, "services", ownership=Ownership.SCAFFOLD)


def actions(result: writer.WriteResult) -> dict[str, Action]:
    return {c.path: c.action for c in result.changes}


def test_scaffold_is_created_once_then_never_rewritten_reported_or_removed(
        tmp_path: Path) -> None:
    first = writer.write(tmp_path, [scaffold("handlers.py")], ["services"])
    assert actions(first) == {"handlers.py": Action.CREATE}
    (tmp_path / "handlers.py").write_text("# the team's code\n", encoding="utf-8")
    again = writer.write(tmp_path, [scaffold("handlers.py", "# newer template\n")],
                         ["services"])
    assert actions(again) == {"handlers.py": Action.UNCHANGED}
    assert not again.skipped
    assert (tmp_path / "handlers.py").read_text(encoding="utf-8") == "# the team's code\n"
    assert writer.check(tmp_path, [scaffold("handlers.py", "# newer\n")], ["services"]) == []
    gone = writer.write(tmp_path, [], ["services"], force=True)
    assert actions(gone) == {"handlers.py": Action.KEEP}
    assert (tmp_path / "handlers.py").exists()
    assert "handlers.py" not in json.loads((tmp_path / MANIFEST).read_text())["files"]


def test_a_deleted_scaffold_file_is_missing_drift_and_created_again(tmp_path: Path) -> None:
    writer.write(tmp_path, [scaffold("handlers.py")], ["services"])
    (tmp_path / "handlers.py").unlink()
    drifts = writer.check(tmp_path, [scaffold("handlers.py")], ["services"])
    assert [(d.path, d.kind) for d in drifts] == [("handlers.py", DriftKind.MISSING)]
    again = writer.write(tmp_path, [scaffold("handlers.py")], ["services"])
    assert actions(again) == {"handlers.py": Action.CREATE}


def test_the_manifest_records_ownership_and_mode(tmp_path: Path) -> None:
    writer.write(tmp_path, [managed("run.sh", "#!/bin/sh\n", executable=True),
                            scaffold("handlers.py")], ["services"])
    files = json.loads((tmp_path / MANIFEST).read_text())["files"]
    assert files["run.sh"]["executable"] is True
    assert files["run.sh"]["ownership"] == "managed"
    assert files["handlers.py"]["ownership"] == "scaffold"
    assert json.loads((tmp_path / MANIFEST).read_text())["format"] == 2


def test_executable_files_get_their_x_bits_from_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        writer.write(tmp_path, [managed("run.sh", "#!/bin/sh\n", executable=True),
                                managed("a.yaml")], ["services"])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "run.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "a.yaml").stat().st_mode) == 0o644


def test_a_lost_x_bit_is_drift_and_restored(tmp_path: Path) -> None:
    files = [managed("run.sh", "#!/bin/sh\n", executable=True)]
    writer.write(tmp_path, files, ["services"])
    (tmp_path / "run.sh").chmod(0o644)
    assert [d.kind for d in writer.check(tmp_path, files, ["services"])] == [DriftKind.MODE]
    assert actions(writer.write(tmp_path, files, ["services"])) == {"run.sh": Action.UPDATE}
    assert (tmp_path / "run.sh").stat().st_mode & 0o100


def test_format_1_manifests_are_read_as_managed_and_rewritten_as_format_2(
        tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x\n", encoding="utf-8")
    old = {"format": 1, "generated_by": "archgen", "files": {"a.yaml": {
        "sha256": writer.sha256(b"x\n"), "generator": "services", "reproducible": True}}}
    (tmp_path / MANIFEST).write_text(json.dumps(old), encoding="utf-8")
    assert writer.read_manifest(tmp_path)["a.yaml"].ownership is Ownership.MANAGED
    result = writer.write(tmp_path, [managed("a.yaml", "y\n")], ["services"])
    assert actions(result) == {"a.yaml": Action.UPDATE}  # archgen's own: not an edit
    assert json.loads((tmp_path / MANIFEST).read_text())["format"] == 2


def test_check_catches_tampering_with_files_it_cannot_regenerate(tmp_path: Path) -> None:
    """A committed index.html with an added <script> passed the golden check."""
    page = OutputFile("index.html", "<html></html>\n", "docs", reproducible=False)
    writer.write(tmp_path, [page], ["docs"])
    assert writer.check(tmp_path, [page], ["docs"]) == []
    (tmp_path / "index.html").write_text("<html><script>x()</script></html>\n")
    drifts = writer.check(tmp_path, [page], ["docs"])
    assert [(d.path, d.kind) for d in drifts] == [("index.html", DriftKind.EDITED)]
