"""`<output>/.archgen/up.json`: where the running system listens, for `token` and `loadtest`,
and what `ps`, `logs` and `down` find a (detached) run by.

Fields are only ever added, never renamed: other tools read this file.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from archgen.files import write_replacing
from archgen.runtime.devkeys import STATE_DIR

STATE_FILE = "up.json"


@dataclass(frozen=True)
class UpState:
    pid: int
    gateway: str | None  # http://127.0.0.1:PORT, or None without a gateway
    services: dict[str, str]  # name -> http://127.0.0.1:PORT
    pids: dict[str, int]  # part name -> process id (each leads its own process group)
    run_dir: str  # the temporary folder the run removes when it ends
    broker: str | None = None  # 127.0.0.1:PORT of the broker, for `archgen drift`
    # One entry per part: name, kind, url, pid, start (the process's start time, so a
    # reused PID is never taken for it), health, restarts, reloads.
    parts: list[dict[str, object]] = field(default_factory=list)
    log_file: str = ""  # the parts' merged log, `name | line`
    pid_start: int | None = None  # the supervisor's start time (see procs.start_time)
    detached: bool = False
    keep_data: bool = False
    standby: str = ""  # hot reload's warm standby: "", "importing" or "ready"
    dashboard: str | None = None  # http://127.0.0.1:PORT of the dashboard, when it serves

    def alive(self) -> bool:
        from archgen.runtime.procs import same_process

        return same_process(self.pid, self.pid_start)


def write(output: Path, state: UpState) -> None:
    path = output / STATE_DIR / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_replacing(path, json.dumps(asdict(state), indent=1, sort_keys=True))


def read(output: Path) -> UpState | None:
    """The running system's addresses; None when none is running (or the file is stale)."""
    state = read_any(output)
    return state if state is not None and state.alive() else None


def read_any(output: Path) -> UpState | None:
    """The state file as written, even when its supervisor is gone (a crash to clean up)."""
    path = output / STATE_DIR / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        start = data.get("pid_start")
        return UpState(int(data["pid"]), data.get("gateway"), dict(data.get("services", {})),
                       dict(data.get("pids", {})), str(data.get("run_dir", "")),
                       data.get("broker"), parts=[dict(p) for p in data.get("parts", [])],
                       log_file=str(data.get("log_file", "")),
                       pid_start=None if start is None else int(start),
                       detached=bool(data.get("detached")),
                       keep_data=bool(data.get("keep_data")),
                       standby=str(data.get("standby", "")),
                       dashboard=data.get("dashboard"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def remove(output: Path) -> None:
    with contextlib.suppress(OSError):
        (output / STATE_DIR / STATE_FILE).unlink()
