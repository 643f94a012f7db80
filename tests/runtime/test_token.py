"""`archgen token`: a dev JWT signed with the folder's key, checked against its JWKS."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jwt
import pytest

from archgen.cli import run
from archgen.runtime import devkeys

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "blueprints" / "ecommerce" / "catalog.yaml", tmp_path / "catalog.yaml")
    return tmp_path


def _token(shop: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = run(["token", str(shop / "catalog.yaml"), "-o", str(shop / "out"), *args])
    return code, capsys.readouterr().out.strip()


def test_token_verifies_with_the_local_jwks(shop: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    code, token = _token(shop, capsys, "--tier", "premium", "--sub", "alice", "--expires", "15m")
    assert code == 0
    key = devkeys.load_or_create(shop / "out")
    jwk = json.loads(key.jwks())["keys"][0]
    assert jwt.get_unverified_header(token)["kid"] == jwk["kid"]
    public = jwt.PyJWK(jwk).key
    claims = jwt.decode(token, public, algorithms=["RS256"], audience="shop-api",
                        issuer="https://auth.shop.example/")
    assert claims["sub"] == "alice" and claims["tier"] == "premium"
    assert claims["exp"] - claims["iat"] == 900


def test_the_key_is_made_once_private_and_git_ignored(shop: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _token(shop, capsys)
    key_file = shop / "out" / ".archgen" / devkeys.KEY_FILE
    first = key_file.read_bytes()
    assert key_file.stat().st_mode & 0o077 == 0
    assert (shop / "out" / ".archgen" / ".gitignore").read_text() == "*\n"
    _token(shop, capsys)
    assert key_file.read_bytes() == first


@pytest.mark.parametrize(("args", "message"), [
    (["--expires", "soon"], "--expires 'soon'"),
    (["--tier", "gold"], "the gateway's tiers are enterprise, free, premium"),
])
def test_bad_options_give_one_line(shop: Path, capsys: pytest.CaptureFixture[str],
                                   args: list[str], message: str) -> None:
    code = run(["token", str(shop / "catalog.yaml"), "-o", str(shop / "out"), *args])
    captured = capsys.readouterr()
    assert code == 2
    assert message in captured.err and len(captured.err.strip().splitlines()) == 1


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("15m", 900), ("1h", 3600),
                                               ("2d", 172800), ("30", 30), ("1x", None),
                                               ("", None), ("h", None)])
def test_durations(text: str, seconds: int | None) -> None:
    assert devkeys.parse_duration(text) == seconds
