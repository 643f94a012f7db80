"""Inline secrets: found once, at load time, and redacted before anything else sees them.

A catalog is committed, reviewed and rendered into specs, docs, exports and code
frames. A value that looks like a secret (a private key, a token, a password
under a `password:` key) is replaced in the loaded data by REDACTED before the
model is built, and masked in the decoded source text that code frames quote.
So no generator, reporter or rule can print it: the one place that decides is
here. Rule AG604 reports what was redacted, by location.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from archgen.findings import Pointer, Span

REDACTED = "<redacted: inline secret, see AG604>"

_SECRET_KEY = re.compile(
    r"(?:^|[_\-.])(password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
    r"private[_-]?key|credentials?)$", re.IGNORECASE)
_REFERENCE = re.compile(r"^\s*(\$\{|\$[A-Z_]|\{\{|<[^>]*>$|(vault|env|secret|ref\+[a-z]+):)",
                        re.IGNORECASE)
_SECRET_VALUES = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in (
    ("pem", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    ("aws", r"\bAKIA[0-9A-Z]{16}\b"),
    ("github", r"\bgh[pousr]_[A-Za-z0-9]{36,}"),
    ("slack", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("stripe", r"\bsk_live_[0-9A-Za-z]{16,}"),
    ("jwt", r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}"),
    ("url", r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"),
)))
_KINDS = {"pem": "a private key", "aws": "an AWS access key", "github": "a GitHub token",
          "slack": "a Slack token", "stripe": "a Stripe secret key", "jwt": "a JSON Web Token",
          "url": "a URL with a password"}
# Under these keys, names are field names and values are types (`password: str`).
_SCHEMA_KEYS = frozenset({"models", "payload", "query"})

Secret = tuple[Pointer, str]  # where, and what it looks like ("an AWS access key")


def secret_kind(pointer: Pointer, value: str) -> str:
    """What `value` at `pointer` looks like ("a GitHub token"), or "" if not a secret."""
    match = _SECRET_VALUES.search(value) if len(value) >= 8 else None
    if match and match.lastgroup:
        return _KINDS[match.lastgroup]
    key = pointer[-1] if pointer else ""
    if (isinstance(key, str) and _SECRET_KEY.search(key) and len(value.strip()) >= 4
            and not _REFERENCE.match(value) and not _SCHEMA_KEYS.intersection(
                str(p) for p in pointer)):
        return f"a secret (the key is `{key}`)"
    return ""


def _strings(data: Any) -> Iterator[tuple[Pointer, str]]:
    stack: list[tuple[Pointer, Any]] = [((), data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            stack.extend(((*where, str(k)), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*where, i), v) for i, v in enumerate(value))


def find_secrets(data: Any) -> list[Secret]:
    """Every string value of the loaded YAML that looks like a secret, sorted by pointer."""
    found = [(pointer, kind) for pointer, value in _strings(data)
             if (kind := secret_kind(pointer, value))]
    return sorted(found, key=lambda s: tuple(str(p) for p in s[0]))


def redact(data: Any, secrets: Iterable[Secret]) -> None:
    """Replace each secret's value in `data` (the loaded YAML, changed in place) by REDACTED."""
    for pointer, _ in secrets:
        node = data
        for part in pointer[:-1]:
            node = node[int(part)] if isinstance(node, list) else _item(node, part)
        if isinstance(node, list):
            node[int(pointer[-1])] = REDACTED
        else:
            node[_key(node, pointer[-1])] = REDACTED


def _key(node: dict[Any, Any], part: str | int) -> Any:
    # Keys were stringified for the pointer; find the key as loaded.
    return next(k for k in node if str(k) == str(part))


def _item(node: dict[Any, Any], part: str | int) -> Any:
    return node[_key(node, part)]


def mask_text(text: str, spans: Iterable[Span]) -> str:
    """`text` with every character inside `spans` (but line breaks) replaced by `*`.

    Lengths and columns stay as they were, so every other finding keeps its place.
    """
    lines = text.split("\n")
    for span in spans:
        for number in range(span.line, min(span.end_line, len(lines)) + 1):
            line = lines[number - 1]
            start = span.col - 1 if number == span.line else 0
            end = span.end_col - 1 if number == span.end_line else len(line)
            lines[number - 1] = line[:start] + re.sub(r"[^\r]", "*", line[start:end]) + line[end:]
    return "\n".join(lines)
