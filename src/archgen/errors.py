"""archgen's exceptions. Only fatal problems raise; everything else is a Finding.

The CLI catches ArchgenError once, at the edge, and maps it to exit code 2.
Nothing here prints.
"""

from __future__ import annotations


class ArchgenError(Exception):
    """A problem archgen reports as one line and exit code 2."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(ArchgenError):
    """Bad arguments or configuration given to a command."""


class OutputError(ArchgenError):
    """Writing output failed or would overwrite something it must not."""
