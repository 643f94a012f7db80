"""Idempotency-Key on creates: a client that retries a create (after a timeout, a 503, a
lost connection) sends the same key and gets the first result, not a second instance.

The key is scoped to the route, and the first result is stored in the create's own
transaction, with its outbox row: both exist or neither does. The same key with another
body is answered 409. Stores with transactions keep keys (the relational store); in
the others the header is refused with 422, so that no client believes it is protected.
Managed by archgen: regenerated on every `archgen generate`, do not edit.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

HEADER = "idempotency-key"
MAX_LENGTH = 200


def key_of(request: Request, store: Any) -> str:
    """The request's Idempotency-Key ("" when it sends none); 422 when it is unusable."""
    key = request.headers.get(HEADER, "")
    if not key:
        return ""
    if len(key) > MAX_LENGTH or not (key.isascii() and key.isprintable()):
        raise HTTPException(
            422, f"Idempotency-Key: at most {MAX_LENGTH} printable ASCII characters"
        )
    if not getattr(store, "keeps_idempotency_keys", False):
        raise HTTPException(422, "Idempotency-Key is not supported by this service's store")
    return key


def fingerprint(data: Any) -> str:
    """What identifies the request under a key: its body, as canonical JSON."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
