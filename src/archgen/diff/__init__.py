"""`archgen diff`: the breaking-change gate for a whole system, with the parties it breaks.

Both catalogs are loaded and resolved; one check per contract family
(endpoints, models and fields, events and topics, services and SLAs, the
gateway) compares them and reports located findings with AGDxxx codes
(`archgen.diff.codes`). Findings, suppressions and reporters are validate's.
"""

from __future__ import annotations

from archgen.diff.codes import CHANGE_CLASS, DIFF_CODES
from archgen.diff.engine import CHECKS, Selection, diff_catalogs, run_diff

__all__ = ["CHANGE_CLASS", "CHECKS", "DIFF_CODES", "Selection", "diff_catalogs", "run_diff"]
