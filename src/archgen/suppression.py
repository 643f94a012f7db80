"""Suppressions: inline comments, `x-archgen-ignore`, the catalog's `rules.ignore`, a baseline.

Suppressed findings are not dropped: they are kept with their justification so
that SARIF can carry them (`suppressions[]`) and the summary can count them.
Suppressions themselves are checked: no reason (AG900), past `until` (AG901),
suppressing nothing (AG902), naming an unknown rule (AG903).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from archgen.errors import UsageError
from archgen.findings import Finding, Location, Pointer, Severity, Span
from archgen.loading import SourceMap
from archgen.model.catalog import RulesConfig

INLINE = re.compile(
    r"#\s*archgen:\s*(?P<kind>ignore|ignore-file)\[(?P<codes>[^\]]*)\]"
    r"(?:\s+until[\s=:]*(?P<until>\d{4}-\d{2}-\d{2}))?\s*(?:--\s*(?P<reason>.*?))?\s*$")
_ANY_INLINE = re.compile(r"#\s*archgen:\s*ignore")
DATA_KEY = "x-archgen-ignore"
BASELINE_VERSION = 1


_DIGITS = re.compile(r"[0-9.]+")


def fingerprint(finding: Finding) -> str:
    """Stable across edits that move lines: rule + pointer + the related subjects.

    The message, without its numbers, tells apart findings of one rule at one
    pointer (three missing observability pillars all point at `infrastructure`)
    while a changed timeout or percentage keeps the fingerprint.
    """
    subjects = sorted(r.json_pointer for r in finding.related)
    text = "\x1f".join([finding.code, finding.location.json_pointer, *subjects,
                        _DIGITS.sub("#", finding.message)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class Suppression:
    selectors: tuple[str, ...]
    kind: str  # inline | data | config | baseline
    reason: str
    until: date | None
    location: Location
    covers: Callable[[Finding], bool]
    codes: frozenset[str] = frozenset()
    used: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Suppressed:
    finding: Finding
    kind: str
    justification: str

    @property
    def in_source(self) -> bool:
        return self.kind in ("inline", "data")


def _under(prefixes: Iterable[Pointer]) -> Callable[[Finding], bool]:
    roots = tuple(prefixes)
    return lambda f: any(f.location.pointer[:len(r)] == r for r in roots)


# ---------------------------------------------------------------- collecting
def inline_suppressions(text: str, source_map: SourceMap) -> list[Suppression]:
    """`# archgen: ignore[CODE] -- reason` covers the node(s) on its line and their subtrees.

    A comment alone on its line applies to the next line with content, like a
    decorator; `ignore-file[...]` covers the whole file. Found by scanning the
    raw text by line number, as noqa does: comments are not in the YAML data.
    """
    if not _ANY_INLINE.search(text):
        return []  # one regex pass over the text, not one per line, in the common case
    lines = text.splitlines()
    found: list[tuple[int, int, re.Match[str]]] = []  # (comment line, target line, match)
    for number, line in enumerate(lines, start=1):
        match = INLINE.search(line)
        if match:
            target = number
            if not line[:match.start()].strip():
                target = next((n for n in range(number + 1, len(lines) + 1)
                               if lines[n - 1].strip() and not lines[n - 1].lstrip()
                               .startswith("#")), number)
            found.append((number, target, match))
    if not found:
        return []
    nodes = _nodes_on_lines({t for _, t, _ in found}, source_map)
    out = []
    for number, target, match in found:
        whole = match["kind"] == "ignore-file"
        roots = [()] if whole else nodes.get(target, [])
        where = Location(source_map.file, roots[0] if roots else (),
                         _line_span(number, match.start(), match.end()))
        out.append(Suppression(_split(match["codes"]), "inline", match["reason"] or "",
                               _date(match["until"]), where, _under(roots)))
    return out


def _line_span(line: int, start: int, end: int) -> Span:
    return Span(line, start + 1, line, end)


def _nodes_on_lines(lines: set[int], source_map: SourceMap) -> dict[int, list[Pointer]]:
    """Keys written on each line; for lines without keys (list items), the values there.

    Keys win because a block mapping's value starts on its first child's line:
    a comment there must cover that child, not the whole parent.
    """
    keyed: dict[int, list[Pointer]] = {}
    for pointer, span in source_map.keys.items():
        if span.line in lines:
            keyed.setdefault(span.line, []).append(pointer)
    valued: dict[int, list[Pointer]] = {}
    for pointer, span in source_map.values.items():
        if span.line in lines and span.line not in keyed and pointer:
            valued.setdefault(span.line, []).append(pointer)
    return {**valued, **keyed}


def data_suppressions(text: str, source_map: SourceMap) -> list[Suppression]:
    """`x-archgen-ignore: {CODE: reason}` in a mapping covers that mapping and its subtree."""
    if DATA_KEY not in text:
        return []  # the common case costs one substring search, not a second parse
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError:
        return []
    out = []
    for parent, table in _find_key(data, ()):
        entries = table.items() if isinstance(table, dict) else []
        for code, value in entries:
            reason, until = _reason_until(value)
            where = source_map.locate((*parent, DATA_KEY, str(code)), key=True)
            out.append(Suppression((str(code),), "data", reason, until, where, _under([parent])))
    return out


def _find_key(node: Any, pointer: Pointer) -> Iterator[tuple[Pointer, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == DATA_KEY:
                yield pointer, value
            else:
                yield from _find_key(value, (*pointer, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _find_key(value, (*pointer, i))


def _reason_until(value: Any) -> tuple[str, date | None]:
    if isinstance(value, dict):
        until = value.get("until")
        return str(value.get("reason") or ""), until if isinstance(until, date) else _date(
            str(until) if until else None)
    return (str(value) if value else ""), None


def config_suppressions(rules: RulesConfig | None, source_map: SourceMap) -> list[Suppression]:
    """The catalog's `rules.ignore` entries: a rule, an optional dotted path or glob."""
    out = []
    for i, entry in enumerate(rules.ignore if rules else []):
        pattern = entry.path

        def covers(f: Finding, pattern: str | None = pattern) -> bool:
            if pattern is None:
                return True
            path = f.location.path
            return (path == pattern or path.startswith(pattern + ".")
                    or fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path,
                                                                                pattern + ".*"))
        out.append(Suppression((entry.rule,), "config", entry.reason or "", entry.until,
                               source_map.locate(("rules", "ignore", i)), covers))
    return out


def _split(codes: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in codes.split(",") if c.strip())


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# ---------------------------------------------------------------- baseline
def read_baseline(path: Path) -> frozenset[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: baseline file not found",
                         "create it with --write-baseline") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read the baseline ({exc})") from None
    if not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION:
        raise UsageError(f"{path}: not an archgen baseline (version {BASELINE_VERSION})")
    return frozenset(str(e["fingerprint"]) for e in doc.get("findings", []))


def baseline_text(findings: Iterable[Finding]) -> str:
    """Keyed by fingerprint (not line): moving YAML around keeps the baseline valid."""
    entries = sorted({fingerprint(f): {"fingerprint": fingerprint(f), "code": f.code,
                                       "path": f.location.path, "message": f.message}
                      for f in findings}.values(), key=lambda e: (e["code"], e["path"]))
    return json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2,
                      ensure_ascii=False) + "\n"


def baseline_suppression(fingerprints: frozenset[str], file: str) -> Suppression:
    return Suppression(("ALL",), "baseline", "in the baseline", None, Location(file),
                       lambda f: fingerprint(f) in fingerprints)


# ---------------------------------------------------------------- applying
@dataclass
class Outcome:
    findings: list[Finding]
    suppressed: list[Suppressed]


def apply(findings: list[Finding], suppressions: list[Suppression],
          enabled: Mapping[str, Severity], today: date,
          matcher: Callable[[str], list[str]] | None = None) -> Outcome:
    """Split findings into reported and suppressed; add findings about the suppressions.

    `matcher` turns a selector into the codes it names (the validator's by
    default; `archgen diff` passes its own).
    """
    from archgen.rules import CODES, known_selector, matches

    names = matcher or matches
    meta: list[Finding] = []
    for s in suppressions:
        s.codes = frozenset(c for sel in s.selectors for c in names(sel))
        unknown = [sel for sel in s.selectors if not known_selector(sel)]
        if unknown and s.kind != "baseline":
            meta.append(_meta("AG903", f"suppression names unknown rule(s) "
                              f"{', '.join(unknown)}", s.location))
    by_code: dict[str, list[Suppression]] = {}
    for s in suppressions:
        for code in s.codes:
            by_code.setdefault(code, []).append(s)
    kept: list[Finding] = []
    hidden: list[Suppressed] = []
    for f in findings:
        match = _first_match(f, by_code.get(f.code, ()), today)
        if match is None or (f.code in CODES and CODES[f.code].section == "Loading and schema"
                             and f.severity is Severity.ERROR):
            kept.append(f)
        else:
            hidden.append(Suppressed(f, match.kind, match.reason or "(no reason given)"))
    meta.extend(_audit(suppressions, enabled, today))
    kept.extend(replace(m, severity=enabled[m.code]) for m in meta if m.code in enabled)
    return Outcome(kept, hidden)


def _first_match(f: Finding, candidates: Iterable[Suppression], today: date
                 ) -> Suppression | None:
    for s in candidates:
        if s.covers(f):
            s.used.add(f.code)
            if s.until is None or s.until >= today:
                return s
    return None


def _audit(suppressions: list[Suppression], enabled: Mapping[str, Severity],
           today: date) -> Iterator[Finding]:
    for s in suppressions:
        if s.kind == "baseline":
            continue
        label = ", ".join(s.selectors)
        if not s.reason.strip():
            yield _meta("AG900", f"suppression of {label} gives no reason", s.location)
        if s.until is not None and s.until < today:
            yield _meta("AG901", f"suppression of {label} expired on {s.until.isoformat()}",
                        s.location)
        elif not s.used and s.codes and any(c in enabled for c in s.codes):
            yield _meta("AG902", f"suppression of {label} matches no finding", s.location)


def _meta(code: str, message: str, where: Location) -> Finding:
    from archgen.rules import CODES

    rule = CODES[code]
    return Finding(code, rule.slug, rule.severity, message, where, rule.fix)
