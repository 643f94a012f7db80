"""`archgen rules` (the table, or JSON) and `archgen rule CODE` (one rule's documentation)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from archgen.commands.style import command_settings
from archgen.errors import UsageError
from archgen.exit_codes import EXIT_OK


class ListFormat(StrEnum):
    text = "text"
    json = "json"


def _as_json(rule: Any) -> dict[str, Any]:
    return {"code": rule.code, "slug": rule.slug, "title": rule.title,
            "severity": rule.severity.value, "section": rule.section,
            "checklist": rule.checklist, "explanation": rule.explanation, "fix": rule.fix,
            "bad": rule.bad, "good": rule.good, "checkable": rule.check_fn is not None,
            "help_uri": rule.help_uri}


def rules(
    output_format: Annotated[ListFormat, typer.Option("--format", "-f",
                                                      help="The output format.")] = ListFormat.text,
) -> int:
    """List the rules: code, slug, severity, title.

    Grouped by the section of the architecture template each rule checks
    (then the AGD codes of `archgen diff` and the AGX codes of `archgen drift`).
    """
    from archgen.rules import CODES
    from archgen.rules.diff_codes import DIFF_CODES
    from archgen.rules.drift_codes import DRIFT_CODES

    if output_format is ListFormat.json:
        doc = {"version": 1, "rules": [_as_json(r) for r in CODES.values()],
               "diff_codes": [_as_json(r) for r in DIFF_CODES.values()],
               "drift_codes": [_as_json(r) for r in DRIFT_CODES.values()]}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    # diff codes: `archgen diff`'s (AGDxxx); drift codes: `archgen drift`'s (AGXxxx)
    every = [*CODES.values(), *DIFF_CODES.values(), *DRIFT_CODES.values()]
    width = max(len(r.slug) for r in every)
    section = ""
    for rule in every:
        if rule.section != section:
            section = rule.section
            sys.stdout.write(f"\n{section}\n")
        mark = " [checklist]" if rule.checklist else ""
        sys.stdout.write(f"  {rule.code}  {rule.slug:<{width}}  {rule.severity.value:<7}  "
                         f"{rule.title}{mark}\n")
    return EXIT_OK


def _change_class(severity: Any) -> str:
    from archgen.rules.diff_codes import CHANGE_CLASS

    return CHANGE_CLASS[severity]


def rule(code: Annotated[str, typer.Argument(
        metavar="CODE", help="A rule code (AG301) or slug (bounded-context-shared).")]) -> int:
    """Explain one rule: what, why, the fix, examples.

    Bad and good YAML for the rule, and the checklist item it ticks.
    """
    from archgen.rules import lookup
    from archgen.rules.diff_codes import lookup as diff_lookup
    from archgen.rules.drift_codes import lookup as drift_lookup

    found = lookup(code) or diff_lookup(code) or drift_lookup(code)
    if found is None:
        raise UsageError(f"no rule {code!r}", "see `archgen rules` for the list")
    out = [f"{found.code} {found.slug}: {found.title}",
           f"Default severity: {found.severity.value}"
           + (f" ({_change_class(found.severity)} change)" if found.code.startswith("AGD")
              else ""),
           f"Section: {found.section}"]
    if found.checklist:
        out.append(f"Checklist item: {found.checklist}")
    out += ["", found.explanation, "", f"Fix: {found.fix}"]
    if found.bad:
        out += ["", "Bad:", *("    " + line for line in found.bad.splitlines())]
    if found.good:
        out += ["", "Good:", *("    " + line for line in found.good.splitlines())]
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK


def register(app: typer.Typer) -> None:
    app.command("rules", **command_settings(
        ("The table", "archgen rules"),
        ("Every rule with its documentation, as JSON", "archgen rules --format json"),
    ))(rules)
    app.command("rule", **command_settings(
        ("What AG301 checks and how to fix it", "archgen rule AG301"),
        ("The same, by slug", "archgen rule bounded-context-shared"),
    ))(rule)
