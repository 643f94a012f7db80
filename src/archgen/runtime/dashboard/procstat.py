"""CPU and memory of each part, read from /proc: a part is the process group it leads
(PostgreSQL's backends count for PostgreSQL). Elsewhere than Linux the figures are None."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class Usage:
    cpu_pct: float | None  # since the previous sample of the same group
    rss_bytes: int
    processes: int


class GroupSampler:
    """Samples process groups; CPU is the share of one core used since the last sample."""

    def __init__(self) -> None:
        self._last: dict[int, tuple[float, int]] = {}  # group -> (monotonic, ticks)
        self._tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

    def sample(self, groups: set[int]) -> dict[int, Usage]:
        if not PROC.is_dir() or not groups:
            return {}
        procs = self._processes()
        owner: dict[int, int | None] = {}

        def group_of(pid: int, depth: int = 0) -> int | None:
            """The part's group a process counts for: its own process group, or its
            parent's (PostgreSQL's backends each lead a group of their own)."""
            if pid in owner:
                return owner[pid]
            found = None
            info = procs.get(pid)
            if info is not None and depth < 64:
                found = info[1] if info[1] in groups else group_of(info[0], depth + 1)
            owner[pid] = found
            return found

        ticks = dict.fromkeys(groups, 0)
        rss = dict.fromkeys(groups, 0)
        count = dict.fromkeys(groups, 0)
        for pid, (_, _, used, resident) in procs.items():
            group = group_of(pid)
            if group is not None:
                ticks[group] += used
                rss[group] += resident
                count[group] += 1
        now = time.monotonic()
        out = {}
        for group in groups:
            before = self._last.get(group)
            cpu = None
            if before is not None and now > before[0]:
                seconds = (ticks[group] - before[1]) / self._tick
                cpu = max(0.0, round(100 * seconds / (now - before[0]), 1))
            self._last[group] = (now, ticks[group])
            out[group] = Usage(cpu, rss[group], count[group])
        for gone in set(self._last) - groups:
            del self._last[gone]
        return out

    def _processes(self) -> dict[int, tuple[int, int, int, int]]:
        """pid -> (parent, process group, CPU ticks, resident bytes) of every process."""
        out = {}
        for entry in PROC.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                # After the command's closing parenthesis: state ppid pgrp ... utime stime.
                fields = stat[stat.rindex(")") + 2:].split()
                resident = int((entry / "statm").read_text().split()[1]) * self._page
                out[int(entry.name)] = (int(fields[1]), int(fields[2]),
                                        int(fields[11]) + int(fields[12]), resident)
            except (OSError, ValueError, IndexError):
                continue  # gone between the listing and the read
        return out
