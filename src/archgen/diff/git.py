"""Read a catalog as it is in a git ref (`git show REF:path`), without a checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

from archgen.errors import UsageError


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False,
                              timeout=60)
    except FileNotFoundError:
        raise UsageError("--against needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {' '.join(args)} took more than 60 s") from None


def show_at_ref(ref: str, catalog: Path) -> tuple[bytes, str]:
    """The file's bytes at `ref` and the name to show for it (`REF:path/from/root`)."""
    if ref.startswith("-"):
        raise UsageError(f"--against {ref!r}: a git ref cannot start with '-'")
    folder = catalog.resolve().parent
    if not folder.is_dir():
        raise UsageError(f"{catalog}: no such directory {folder}")
    top = _git(["rev-parse", "--show-toplevel"], folder)
    if top.returncode != 0:
        raise UsageError(f"{catalog}: not inside a git repository; --against needs one",
                         "diff two files instead: archgen diff OLD NEW")
    root = Path(top.stdout.decode().strip())
    relative = catalog.resolve().relative_to(root.resolve()).as_posix()
    shown = _git(["show", f"{ref}:{relative}"], root)
    if shown.returncode != 0:
        reason = shown.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"{relative} is not in git ref {ref!r}"
                         + (f" ({reason[0][:160]})" if reason else ""),
                         "check the ref (git branch -a) and the path at that ref")
    return shown.stdout, f"{ref}:{relative}"
