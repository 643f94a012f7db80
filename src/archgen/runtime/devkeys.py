"""Development JWTs: an RS256 key pair per output folder, its JWKS, and tokens signed with it.

The key lives in `<output>/.archgen/` (git-ignored, never committed). The local
Envoy gets the public half inline (jwt_authn `local_jwks`), so a token from
`archgen token` passes the gateway of `archgen up` and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archgen.files import atomic_create, write_replacing
from archgen.model.deployment import TIER_CLAIM  # the claim the gateway reads the tier from

if TYPE_CHECKING:
    from archgen.model.resolved import ResolvedCatalog

STATE_DIR = ".archgen"
KEY_FILE = "dev-jwt-key.pem"
DEFAULT_ISSUER = "https://archgen.local/"
DEFAULT_AUDIENCE = "archgen-local"


@dataclass(frozen=True, slots=True)
class DevKey:
    pem: bytes  # the private key, PKCS#8 PEM

    @property
    def kid(self) -> str:
        return hashlib.sha256(self.jwk_public()["n"].encode()).hexdigest()[:16]

    def jwk_public(self) -> dict[str, str]:
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        key = load_pem_private_key(self.pem, password=None)
        assert isinstance(key, RSAPrivateKey)  # load_or_create writes RSA keys only
        numbers = key.public_key().public_numbers()
        return {"kty": "RSA", "alg": "RS256", "use": "sig",
                "n": _b64(numbers.n), "e": _b64(numbers.e)}

    def jwks(self) -> str:
        """The public JWKS as JSON text (what Envoy's `local_jwks.inline_string` takes)."""
        return json.dumps({"keys": [{**self.jwk_public(), "kid": self.kid}]}, sort_keys=True)

    def sign(self, claims: dict[str, Any]) -> str:
        import jwt

        return jwt.encode(claims, self.pem, algorithm="RS256", headers={"kid": self.kid})


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def load_or_create(output: Path) -> DevKey:
    """The folder's development key, created (mode 0600) the first time it is asked for."""
    path = output / STATE_DIR / KEY_FILE
    if path.is_file():
        return DevKey(path.read_bytes())
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    write_replacing(path.parent / ".gitignore", "*\n")
    if not atomic_create(path, pem, mode=0o600):  # another run made one first: use that one
        return DevKey(path.read_bytes())
    return DevKey(pem)


def claims(issuer: str, audience: str, subject: str, tier: str | None, ttl_s: int,
           now: float | None = None) -> dict[str, Any]:
    issued = int(now if now is not None else time.time())
    body: dict[str, Any] = {"iss": issuer, "aud": audience, "sub": subject,
                            "iat": issued, "exp": issued + ttl_s}
    if tier:
        body[TIER_CLAIM] = tier
    return body


def catalog_claims(catalog: ResolvedCatalog, subject: str, tier: str | None, ttl_s: int
                   ) -> dict[str, Any]:
    """Claims with the catalog's issuer and first audience (the local gateway checks them)."""
    auth = catalog.gateway.auth if catalog.gateway else None
    issuer = auth.issuer if auth and auth.issuer else DEFAULT_ISSUER
    audience = auth.audiences[0] if auth and auth.audiences else DEFAULT_AUDIENCE
    return claims(issuer, audience, subject, tier, ttl_s)


def top_tier(catalog: ResolvedCatalog) -> tuple[str, float] | None:
    """The rate-limit tier with the most room and its requests per second; None without
    tiers. The smoke and load tests sign with it: they measure the system, not the limit."""
    gateway = catalog.gateway
    if gateway is None or not gateway.rate_limits:
        return None
    name, limit = max(gateway.rate_limits.items(),
                      key=lambda kv: kv[1].per_second)
    return str(name), limit.per_second


def parse_duration(text: str) -> int | None:
    """`90s`, `15m`, `1h`, `2d` or plain seconds -> seconds; None when it is none of these."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    if len(text) > 1 and text[:-1].isdigit() and text[-1] in units:
        return int(text[:-1]) * units[text[-1]]
    return None
