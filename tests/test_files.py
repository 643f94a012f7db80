"""The one atomic-write helper: readers see the old file or the new one, never half of one.

A failure in the middle of a write is real here: a child process writes under a
file-size limit (RLIMIT_FSIZE; Python ignores SIGXFSZ, so the write fails with
EFBIG after the first bytes reached the disk), as a full disk or quota would.
"""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archgen.errors import OutputError
from archgen.files import atomic_create, atomic_write, write_new, write_replacing
from tests.helpers import ROOT

LIMIT = 512  # bytes: what the child may write into any one file
BIG = b"new content\n" * 4096  # far over the limit


def run_limited(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`code` in a child process whose files cannot grow past LIMIT bytes."""
    script = "import resource, sys\n" \
             f"resource.setrlimit(resource.RLIMIT_FSIZE, ({LIMIT}, {LIMIT}))\n" \
             + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                          text=True, timeout=60, check=False)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("staging", ["fresh", "fixed"])
def test_a_failure_mid_write_leaves_the_old_file_intact_and_no_temp(
        tmp_path: Path, staging: str) -> None:
    target = tmp_path / "report.json"
    target.write_text('{"old": true}\n', encoding="utf-8")
    fixed = tmp_path / ".report.json.staged"
    done = run_limited("""
        from pathlib import Path
        from archgen.files import atomic_write
        fixed = None if sys.argv[3] == "fresh" else Path(sys.argv[4])
        try:
            atomic_write(Path(sys.argv[1]), open(sys.argv[2], "rb").read(), staging=fixed)
        except OSError as exc:
            print(exc.strerror)
            sys.exit(3)
        """, str(target), str(write_big(tmp_path)), staging, str(fixed))
    assert done.returncode == 3, done.stderr
    assert "File too large" in done.stdout
    assert target.read_text(encoding="utf-8") == '{"old": true}\n'
    assert listing(tmp_path) == ["big.bin", "report.json"]


def write_big(tmp_path: Path) -> Path:
    source = tmp_path / "big.bin"
    source.write_bytes(BIG)
    return source


def test_a_failure_mid_create_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "key.pem"
    done = run_limited("""
        from pathlib import Path
        from archgen.files import atomic_create
        try:
            atomic_create(Path(sys.argv[1]), b"k" * 100_000, mode=0o600)
        except OSError:
            sys.exit(3)
        """, str(target))
    assert done.returncode == 3, done.stderr
    assert listing(tmp_path) == []


def test_replacing_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "run.sh"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o751)
    write_replacing(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert listing(tmp_path) == ["run.sh"]


def test_a_new_file_gets_the_umask_mode_or_the_one_asked_for(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "plain", b"x")
        atomic_write(tmp_path / "secret", b"x", mode=0o600)
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "plain").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600


def test_a_fixed_staging_name_is_used_and_gone_after_the_rename(tmp_path: Path) -> None:
    """The generator writer's way: one known temp name, so a killed run's leftover is
    found by the next one; a stale leftover of that name is simply overwritten."""
    fixed = tmp_path / ".out.txt.staged"
    fixed.write_bytes(b"half of an earlier write")
    atomic_write(tmp_path / "out.txt", b"whole\n", staging=fixed, sync=False)
    assert (tmp_path / "out.txt").read_bytes() == b"whole\n"
    assert listing(tmp_path) == ["out.txt"]


def test_create_never_overwrites_and_says_so(tmp_path: Path) -> None:
    target = tmp_path / "catalog.yaml"
    assert atomic_create(target, b"first\n")
    assert not atomic_create(target, b"second\n")
    with pytest.raises(OutputError, match="already exists"):
        write_new(target, "third\n")
    assert target.read_bytes() == b"first\n"
    assert listing(tmp_path) == ["catalog.yaml"]


def test_a_failed_state_write_keeps_the_running_systems_addresses(tmp_path: Path) -> None:
    """`archgen up` rewrites up.json while `token` and `loadtest` read it."""
    from archgen.runtime import state

    old = state.UpState(os.getpid(), "http://127.0.0.1:1", {"a": "http://127.0.0.1:2"}, {},
                        str(tmp_path))
    state.write(tmp_path, old)
    done = run_limited("""
        import os
        from pathlib import Path
        from archgen.runtime import state
        services = {f"service-{i}": f"http://127.0.0.1:{10000 + i}" for i in range(100)}
        try:
            state.write(Path(sys.argv[1]), state.UpState(os.getpid(), None, services, {}, ""))
        except OSError:
            sys.exit(3)
        """, str(tmp_path))
    assert done.returncode == 3, done.stderr
    assert state.read(tmp_path) == old
    assert listing(tmp_path / ".archgen") == ["up.json"]


def test_a_failed_key_write_leaves_no_broken_key(tmp_path: Path) -> None:
    """A half-written private key would break every later `archgen token`."""
    from archgen.runtime import devkeys

    done = run_limited("""
        from pathlib import Path
        from archgen.runtime import devkeys
        try:
            devkeys.load_or_create(Path(sys.argv[1]))
        except OSError:
            sys.exit(3)
        """, str(tmp_path))
    assert done.returncode == 3, done.stderr
    assert not (tmp_path / ".archgen" / devkeys.KEY_FILE).exists()
    assert [n for n in listing(tmp_path / ".archgen") if n != ".gitignore"] == []
    key = devkeys.load_or_create(tmp_path)  # the next call makes a whole one
    assert json.loads(key.jwks())["keys"][0]["kid"] == key.kid
    assert stat.S_IMODE((tmp_path / ".archgen" / devkeys.KEY_FILE).stat().st_mode) == 0o600


# Writes that need no atomicity: each goes into a private temporary folder that only
# the process that made it reads, and that is gone when the run ends.
PRIVATE_WRITES = {
    "formatting.py": "sources handed to `ruff format` in a temporary folder",
    "runtime/parts.py": "Envoy's bootstrap and Valkey's config in the run's own folder",
    "runtime/pgdata.py": "PostgreSQL's access files in a data folder before its server starts",
    "runtime/loadtest.py": "wrk's Lua script in a temporary folder",
    "drift/kube.py": "a kubeconfig's client certificate and key for ssl, in a temporary folder",
}


def _writes(tree: ast.AST) -> list[int]:
    """Lines that write a file by any means but archgen.files."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("write_text", "write_bytes", "mkstemp"):
            lines.append(node.lineno)
        elif name == "fdopen":  # a descriptor opened for writing (a pipe read is no file)
            mode = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(mode, ast.Constant) and set(str(mode.value)) <= set("rbt")):
                lines.append(node.lineno)
        elif name == "open" and isinstance(func, ast.Attribute) and \
                getattr(func.value, "id", "") == "os":
            flags = ast.unparse(node.args[1]) if len(node.args) > 1 else ""
            if any(f in flags for f in ("O_WRONLY", "O_RDWR", "O_CREAT")):
                lines.append(node.lineno)
        elif name == "open":
            mode = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "mode"), None)
            if isinstance(mode, ast.Constant) and set(str(mode.value)) & set("wax+"):
                lines.append(node.lineno)
    return lines


def test_every_file_archgen_writes_for_others_goes_through_the_helper() -> None:
    package = ROOT / "src" / "archgen"
    found = {}
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative == "files.py" or relative in PRIVATE_WRITES:
            continue
        lines = _writes(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            found[relative] = lines
    assert found == {}, "write these through archgen.files (atomic), or list them as private"
    for relative in PRIVATE_WRITES:  # the list stays true: each still writes its private file
        assert _writes(ast.parse((package / relative).read_text(encoding="utf-8"))), relative
