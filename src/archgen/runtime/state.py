"""`<output>/.archgen/up.json`: where the running system listens, for `token` and `loadtest`."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
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

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def write(output: Path, state: UpState) -> None:
    path = output / STATE_DIR / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_replacing(path, json.dumps(asdict(state), indent=1, sort_keys=True))


def read(output: Path) -> UpState | None:
    """The running system's addresses; None when none is running (or the file is stale)."""
    path = output / STATE_DIR / STATE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        state = UpState(int(data["pid"]), data.get("gateway"), dict(data.get("services", {})),
                        dict(data.get("pids", {})), str(data.get("run_dir", "")),
                        data.get("broker"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if state.alive() else None


def remove(output: Path) -> None:
    with contextlib.suppress(OSError):
        (output / STATE_DIR / STATE_FILE).unlink()
