"""Formatting findings for people and machines. Formatting only: nothing else happens here.

Every reporter takes a RunResult and returns text; REPORTERS is the registry
the CLI picks from (`--format`, `-o FORMAT=FILE`).
"""

from __future__ import annotations

from collections.abc import Callable

from archgen.reporting.common import RunResult, clean, finding_line, location_text, summary_line
from archgen.reporting.junit import render_junit
from archgen.reporting.machine import render_github, render_gitlab, render_json
from archgen.reporting.sarif import render_sarif
from archgen.reporting.text import render_full, render_statistics, render_text, text_reporter

Reporter = Callable[[RunResult], str]

REPORTERS: dict[str, Reporter] = {
    "text": text_reporter,
    "full": render_full,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "junit": render_junit,
    "gitlab": render_gitlab,
}

__all__ = ["REPORTERS", "Reporter", "RunResult", "clean", "finding_line", "location_text",
           "render_statistics", "render_text", "summary_line"]
