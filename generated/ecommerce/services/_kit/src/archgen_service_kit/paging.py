"""Pages of a list endpoint: a bounded `limit` and an opaque `cursor` (keyset pagination).

A page holds at most `limit` instances (DEFAULT_LIMIT unless asked, MAX_LIMIT at most:
more is a 422 problem), ordered by key. When more follow, the answer carries an RFC 8288
`Link: <...>; rel="next"` header whose `cursor` holds the last key of the page: the next
page starts after that key (WHERE key > cursor, never an OFFSET), so an instance inserted
or removed meanwhile neither repeats nor hides another. The body stays a JSON array, so a
client that reads one page as the whole list keeps working.

The cursor is base64url JSON of the list it belongs to (a digest of model, lookup field
and value) and the key: one that does not decode, or belongs to another list, is a 400
problem (storage.BadCursor). It is a position, not a credential: forging one reaches only
rows the client could page to anyway, so it is not signed.

A team's list handler gets the request as a `PageRequest` and answers a `Page` (the items
and the cursor of the next page: the route writes the Link), or a plain list (answered
whole). `Repository.page` reads one the same way the default behaviour does.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Query, Request
from starlette.responses import Response

from .storage import BadCursor, Record, stored_text

T = TypeVar("T")
R = TypeVar("R")

# As the OpenAPI documents archgen emits declare them.
DEFAULT_LIMIT = 50
MAX_LIMIT = 200

# The route parameters of every list endpoint (the OpenAPI document declares the same).
Limit = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_LIMIT,
        description=(
            f"The most items in the page ({DEFAULT_LIMIT} unless given, at most {MAX_LIMIT})."
        ),
    ),
]
Cursor = Annotated[
    str | None,
    Query(
        description=("Where the page starts: the `cursor` of the previous answer's `Link` header.")
    ),
]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """What a list endpoint was asked for: at most `limit` items, after the position
    `cursor` names (None: from the first)."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its items, and the cursor of the page after them (None: this
    is the last). A team's list handler answers one; the route links the next page."""

    items: list[T]
    after: str | None = None


def scope(model: str, name: str | None, value: Any) -> str:
    """The list a cursor belongs to: model, lookup field and value."""
    text = json.dumps([model, name, None if value is None else str(value)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode(list_scope: str, key: str) -> str:
    raw = json.dumps([list_scope, key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(list_scope: str, cursor: str) -> str:
    """The key a page starts after; BadCursor when `cursor` is not one of this list's."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        found = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise BadCursor("the cursor is not one this list gave out") from exc
    if (
        not isinstance(found, list)
        or len(found) != 2
        or not all(isinstance(part, str) for part in found)
    ):
        raise BadCursor("the cursor is not one this list gave out")
    if found[0] != list_scope:
        raise BadCursor("the cursor belongs to another list")
    return str(found[1])


def cut(
    found: list[R], limit: int, list_scope: str, key_of: Callable[[R], str]
) -> tuple[list[R], str | None]:
    """The page in `found`, which was read with one more than `limit` (whether another page
    follows, without a count), and the cursor of the next page, None on the last."""
    if len(found) <= limit:
        return found, None
    page = found[:limit]
    return page, encode(list_scope, key_of(page[-1]))


async def read_page(
    unit: Any,
    model: str,
    key: str,
    name: str | None,
    value: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Record], str | None]:
    """One page of `model`'s instances whose field `name` holds `value` (stored text; every
    instance without a name) in a unit of work: at most `limit`, those whose key sorts
    after the one `cursor` holds; and the cursor of the next page, None on the last. The
    list endpoints' default and the repositories' `page` both read pages here."""
    list_scope = scope(model, name, value)
    after = None if cursor is None else decode(list_scope, cursor)
    # One more than the page holds: whether another page follows, without a count.
    found: list[Record] = await unit.list_by(model, name, value, after=after, limit=limit + 1)
    return cut(found, limit, list_scope, lambda record: stored_text(record[key]))


def answer(response: Response, request: Request, cursor: str | None) -> Response:
    """`response` with the Link to the page after it when there is one (`cursor`). The link
    is the request's own path and query with the new cursor: relative, so it holds behind
    the gateway too (it routes paths unchanged)."""
    if cursor is not None:
        query = urlencode({**request.query_params, "cursor": cursor})
        response.headers["Link"] = f'<{request.url.path}?{query}>; rel="next"'
    return response
