"""Headless Chromium for the HTML tests (kept apart from the tests themselves)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# The flags of the issue: headless, and nothing that would reach for a network.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Page:
    dom: str
    log: str

    def console_lines(self) -> list[str]:
        """Console messages and page errors Chromium logged (CSP refusals included)."""
        return [line for line in self.log.splitlines()
                if "CONSOLE" in line or "Uncaught" in line or "Refused to" in line]


def load(page: Path, profile: Path, fragment: str = "", screenshot: Path | None = None,
         height: int = 1600) -> Page:
    """Load `page` once: the DOM after scripts ran, and Chromium's log with console output.

    Virtual time lets events the page queues (a `hashchange` after a click) run first.
    """
    url = page.resolve().as_uri() + fragment
    args = [chromium() or "chromium", *FLAGS, f"--user-data-dir={profile}",
            "--enable-logging=stderr", "--v=0", f"--window-size=1400,{height}",
            "--virtual-time-budget=5000"]
    if screenshot is not None:
        args.append(f"--screenshot={screenshot}")
    else:
        args.append("--dump-dom")
    proc = subprocess.run([*args, url], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return Page(proc.stdout, proc.stderr)
