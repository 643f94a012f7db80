"""A warm Python for hot reload: the services' libraries already imported, waiting.

Most of a service's start is importing its libraries (FastAPI, SQLAlchemy,
aiokafka...: about 1.5 s of the 2 s here), and an edit of the service's own
code changes none of them. So the supervisor keeps one such process ready:
it imports every third-party module the services' source imports (never the
services' own packages), says READY, and waits for SIGUSR1. Then it reads its
ticket (the service's command line, environment and folder, written by the
supervisor into the run's folder, 0600) and becomes `python -m uvicorn ...` for
that service, importing the service's code as it is now. One standby serves
any service; the supervisor starts the next one after each reload.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import json
import os
import runpy
import signal
import sys
from collections.abc import Iterable
from pathlib import Path

READY = "archgen standby: ready"


def ticket_path(run_dir: Path, pid: int) -> Path:
    return run_dir / f"standby-{pid}.json"


def write_ticket(run_dir: Path, pid: int, argv: list[str], env: dict[str, str],
                 cwd: str) -> None:
    """What the standby `pid` becomes: `python ARGV` in `cwd` with `env` (secrets included,
    so the file is ours alone)."""
    from archgen.files import atomic_write

    ticket = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode("utf-8")
    atomic_write(ticket_path(run_dir, pid), ticket, mode=0o600, sync=False)


def third_party_imports(sources: Iterable[Path]) -> list[str]:
    """The modules the source folders' Python files import, except their own packages."""
    own = {p.name for folder in sources if folder.is_dir() for p in folder.iterdir()}
    own |= {name.removesuffix(".py") for name in own}
    found: set[str] = set()
    for folder in sources:
        for path in folder.rglob("*.py"):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (OSError, SyntaxError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module)
    return sorted(m for m in found if m.split(".")[0] not in own)


def main(argv: list[str]) -> int:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # held until we wait for it
    run_dir, sources = Path(argv[0]), [Path(a) for a in argv[1:]]
    for module in third_party_imports(sources):
        with contextlib.suppress(Exception):  # a module that fails fails again, in the service
            importlib.import_module(module)
    import uvicorn  # noqa: F401  # what every service runs under

    sys.stdout.write(READY + "\n")
    sys.stdout.flush()
    signal.sigwait({signal.SIGUSR1})
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
    path = ticket_path(run_dir, os.getpid())
    ticket = json.loads(path.read_text(encoding="utf-8"))
    path.unlink()
    return become(ticket["argv"], ticket["env"], ticket["cwd"])


def become(argv: list[str], env: dict[str, str], cwd: str) -> int:
    """Run `python -m MODULE ARGS` (argv without the interpreter) in this process, as the
    interpreter would: the folder first on sys.path, then PYTHONPATH's entries."""
    if argv[:1] != ["-m"] or len(argv) < 2:
        raise SystemExit(f"archgen standby: cannot run {argv}")
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[0:1] = [cwd, *(p for p in extra if p not in sys.path)]  # [0]: where we started
    sys.argv = [argv[1], *argv[2:]]
    runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
