"""Helpers shared by the top-level tests (kept apart from the tests themselves)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BLUEPRINTS = ROOT / "blueprints"
ECOMMERCE = BLUEPRINTS / "ecommerce" / "catalog.yaml"
MINIMAL = BLUEPRINTS / "minimal" / "catalog.yaml"

# `file:line:col: severity CODE message ... [slug]`, one line per finding.
FINDING_LINE = re.compile(r"^.+:\d+:\d+: (error|warning|info) AG\d{3} .+ \[[a-z0-9-]+\]$")


@dataclass
class Run:
    code: int
    out: str
    err: str


_ENV = {"NO_COLOR": "1", "COLUMNS": "200"}


def run_archgen(*args: str, cwd: Path | None = None) -> Run:
    """Run the real CLI in this process: the same entry point users run, minus the ~0.5 s
    interpreter start per call. Use `run_archgen_subprocess` where the process itself is
    under test (the `python -m archgen` entry, cold imports, a hang guarded by a timeout).
    """
    from archgen.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    saved = (os.getcwd(), sys.argv, {k: os.environ.get(k) for k in _ENV})
    os.environ.update(_ENV)
    sys.argv = ["archgen", *args]
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(saved[0])
        sys.argv = saved[1]
        for key, value in saved[2].items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return Run(code, out.getvalue(), err.getvalue())


def run_archgen_subprocess(*args: str, cwd: Path | None = None, timeout: float = 60) -> Run:
    """Run the real CLI in a subprocess, as users do (timeout only guards against hangs)."""
    env = {**os.environ, **_ENV}
    proc = subprocess.run(
        [sys.executable, "-m", "archgen", *args], cwd=cwd, env=env,
        capture_output=True, text=True, timeout=timeout, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


FIXED_DAY = __import__("datetime").date(2026, 1, 1)


def ctx_of(catalog: object) -> object:
    """The generation context of a resolved catalog with its rule findings, on a fixed day.

    `archgen generate` takes the findings from the validator's report of the file;
    here the rules run on the resolved catalog alone (no inline suppressions).
    """
    from archgen.catalog import LoadResult
    from archgen.config import Settings
    from archgen.generation import build_context
    from archgen.loading import SourceMap
    from archgen.validation import check

    loaded = LoadResult("catalog.yaml", catalog, SourceMap("catalog.yaml"))  # type: ignore[arg-type]
    report = check(loaded, "", Settings(), frozenset(), FIXED_DAY)
    return build_context(catalog, FIXED_DAY, report.findings)  # type: ignore[arg-type]


@contextlib.contextmanager
def serving_json(answer: Callable[[str], tuple[int, Any, dict[str, str]]]) -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 whose GETs `answer(path)` gives: status, JSON
    body and extra headers. Yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, document, headers = answer(self.path)
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def read_events(bootstrap: str, topics: list[str], until: int, timeout: float = 30,
                keep: Callable[[Any], bool] | None = None) -> list[Any]:
    """The messages on `topics` from their beginning to their end as the read starts (a
    consumer of no group), those `keep` keeps, stopping at `until` of them; at most
    `timeout` seconds. A session's broker holds every earlier test's messages: a test
    looking for its own passes `keep`, else the first `until` may all be others'."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    async def run() -> list[Any]:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                    enable_auto_commit=False, fetch_max_wait_ms=10)
        await consumer.start()
        try:
            await consumer.topics()  # the partitions of every topic, named below
            parts = [TopicPartition(t, p) for t in topics
                     for p in sorted(consumer.partitions_for_topic(t) or {0})]
            consumer.assign(parts)
            await consumer.seek_to_beginning(*parts)
            ends = await consumer.end_offsets(parts)
            got: list[Any] = []
            deadline = time.monotonic() + timeout
            while len(got) < until and time.monotonic() < deadline:
                if all([await consumer.position(tp) >= ends[tp] for tp in parts]):
                    break
                for msgs in (await consumer.getmany(timeout_ms=200)).values():
                    got.extend(m for m in msgs if keep is None or keep(m))
            return got[:until]
        finally:
            await consumer.stop()

    return asyncio.run(run())
