"""What HTTP lets a catalog put into a header: tokens (RFC 9110, 5.6.2) and origins.

The gateway writes CORS methods and header names into response headers; a value
with CR/LF or a space would let a catalog inject a header of its own. The rules
(AG110) report such values and the gateway generators refuse to write them.
"""

from __future__ import annotations

import re

# tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|"
#         / "~" / DIGIT / ALPHA
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# An origin is `scheme://host[:port]` (RFC 6454), or `*`: no whitespace, no control
# character, no path.
_ORIGIN = re.compile(r"\*|[A-Za-z][A-Za-z0-9+.\-]*://[^\s/\x00-\x1f\x7f]+")


def is_token(value: str) -> bool:
    """True when `value` is an RFC 9110 token (a method or a header name)."""
    return _TOKEN.fullmatch(value) is not None


def is_origin(value: str) -> bool:
    """True when `value` is `*` or a serialized origin fit for a header."""
    return _ORIGIN.fullmatch(value) is not None
