"""What `archgen up` shows: a live table of the parts and their logs, prefixed like compose."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from archgen.runtime import logfile

if TYPE_CHECKING:
    from rich.live import Live

    from archgen.runtime.parts import Part

_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_red", "bright_cyan",
            "bright_magenta", "bright_green", "bright_yellow", "bright_blue")
_STATE_STYLE = {"ready": "green", "failed": "bold red", "restarting": "yellow",
                "unhealthy": "bold yellow", "reloading": "cyan",
                "starting": "yellow", "stopped": "dim", "stopping": "dim"}


def wide_console() -> Console:
    """A console; in a log (not a terminal) wide enough that the table's URLs stay whole."""
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console = Console(highlight=False, soft_wrap=True, width=160)
    return console


class UpConsole:
    """Log lines with a coloured `name |` prefix; a table of the parts, live on a terminal."""

    def __init__(self, console: Console | None = None, quiet_logs: bool = False) -> None:
        self.console = console or wide_console()
        self.quiet_logs = quiet_logs
        self.parts: Sequence[Part] = ()
        self._colour: dict[str, str] = {}
        self._width = 8
        self._live: Live | None = None

    def track(self, parts: Sequence[Part]) -> None:
        self.parts = parts
        self._width = max([8, *(len(p.name) for p in parts)])
        for i, part in enumerate(parts):
            self._colour[part.name] = _COLOURS[i % len(_COLOURS)]
        if self.console.is_terminal:
            from rich.live import Live

            self._live = Live(self, console=self.console, refresh_per_second=4,
                              transient=True)
            self._live.start()

    @property
    def width(self) -> int:
        """The width of the parts' names in the `name | ` prefix."""
        return self._width

    def log(self, name: str, line: str) -> None:
        if self.quiet_logs:
            return
        prefix = Text(logfile.prefix(name, self._width), style=self._colour.get(name, "white"))
        self.console.print(prefix + Text(line))

    def say(self, message: str, style: str = "bold") -> None:
        self.console.print(Text(message, style=style))

    def show_table(self) -> None:
        """Print the table once (the live one disappears when archgen stops)."""
        self.console.print(self.table())

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def __rich__(self) -> Table:
        return self.table()

    def table(self) -> Table:
        table = Table(title="archgen up", title_justify="left", expand=False)
        for column in ("part", "kind", "port", "URL", "health", "restarts"):
            table.add_column(column, no_wrap=column != "URL")
        for part in self.parts:
            table.add_row(Text(part.name, style=self._colour.get(part.name, "")), part.kind,
                          str(part.port) if part.port else "-", part.url,
                          Text(part.state, style=_STATE_STYLE.get(part.state, "")),
                          str(part.restarts))
        return table


def ps_table(parts: Sequence[Mapping[str, object]], title: str) -> Table:
    """The parts of a running system as up.json lists them (`archgen ps`, `up --detach`)."""
    table = Table(title=title, title_justify="left", expand=False)
    for column in ("part", "kind", "URL", "health", "pid", "restarts", "reloads"):
        table.add_column(column, no_wrap=column != "URL")
    for i, part in enumerate(parts):
        health = str(part.get("health", "?"))
        table.add_row(Text(str(part.get("name", "?")), style=_COLOURS[i % len(_COLOURS)]),
                      str(part.get("kind", "")), str(part.get("url", "")),
                      Text(health, style=_STATE_STYLE.get(health, "")),
                      str(part.get("pid") or "-"), str(part.get("restarts", 0)),
                      str(part.get("reloads", 0)))
    return table
