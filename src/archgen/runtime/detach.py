"""`archgen up --detach`: the supervisor as a background process of its own.

The command starts `archgen up ... --supervise` in a new session (no terminal,
so closing the terminal stops nothing), its own output in
`<output>/.archgen/up.console.log`, and returns once that supervisor has written
up.json, which it does when every part is ready. The supervisor keeps the
reaper's guarantee as a foreground run does, and up.json names it: `archgen
down` finds it, or what is left of it after a crash.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from archgen.runtime import instance, state

POLL_S = 0.1


def start(args: Sequence[str], output: Path, env: Mapping[str, str]
          ) -> tuple[int, state.UpState | None, str]:
    """Run `archgen up ARGS` (with the hidden flag that makes it the supervisor) in the
    background until all its parts are ready: (exit code, its state, what it printed when
    it failed). `env` is added to its environment."""
    console = instance.state_dir(output) / instance.CONSOLE_FILE
    console.parent.mkdir(parents=True, exist_ok=True)
    with console.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "archgen", "up", *args],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, **env}, start_new_session=True)
    try:
        while proc.poll() is None:
            running = state.read(output)
            if running is not None and running.pid == proc.pid:
                return 0, running, ""
            time.sleep(POLL_S)
    except KeyboardInterrupt:  # Ctrl-C while it starts: it stops, in order
        proc.send_signal(signal.SIGTERM)
        proc.wait()
        return 130, None, _printed(console)
    return proc.returncode or 1, None, _printed(console)


def _printed(console: Path) -> str:
    try:
        return console.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
