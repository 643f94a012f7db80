"""List endpoints answer in pages: at most `limit` items (50 unless asked, 200 at most), by
key, the next page behind an RFC 8288 `Link: <...>; rel="next"` header whose cursor is the
last key seen (keyset, never an offset: a row inserted meanwhile neither repeats nor hides
another). On the real PostgreSQL, on Valkey, in a document store (mongomock: no MongoDB
server runs here) and in the process (fixtures/paging.yaml).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.services.conftest import Broker, System, create_database
from tests.services.test_migrations import alembic, generate, psql

pytestmark = pytest.mark.slow
PAGING = Path(__file__).parent / "fixtures" / "paging.yaml"
SERVICES = ("ledger-service", "tally-service", "archive-service", "memo-service")
LIST = "/api/v1/entries/account/{account}"
NEXT = re.compile(r'^<([^>]+)>; rel="next"$')


@pytest.fixture(scope="module")
def paging(tmp_path_factory: pytest.TempPathFactory, broker: Broker, postgres: Path,
           valkey: str) -> Iterator[System]:
    out = tmp_path_factory.mktemp("paging")
    subprocess.run([sys.executable, "-m", "archgen", "generate", str(PAGING), "-o", str(out),
                    "--only", "services,openapi"], check=True, capture_output=True, timeout=300)
    urls = {"ledger-service": {"DATABASE_URL": create_database(postgres, "ledger_service")},
            "tally-service": {"REDIS_URL": valkey},
            "archive-service": {"MONGODB_URL": "mongomock://"}}
    found = System(out, broker, urls)
    try:
        for service in SERVICES:
            found.start(service)
        yield found
    finally:
        found.stop_all()


def _add(base: str, account: str, code: str | None = None) -> str:
    code = code or uuid.uuid4().hex
    done = httpx.post(f"{base}/api/v1/entries", json={"code": code, "account": account,
                                                      "amount": 1}, timeout=10)
    assert done.status_code == 201, done.text
    return code


def _next(response: httpx.Response) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    found = NEXT.match(link)
    assert found, link
    return found.group(1)


@pytest.mark.parametrize("service", SERVICES)
def test_paging_returns_each_row_once_while_rows_are_inserted_between_pages(
        paging: System, service: str) -> None:
    base = paging.url(service)
    account = f"acct-{uuid.uuid4().hex[:8]}"
    rows = {_add(base, account) for _ in range(120)}
    _add(base, f"other-{account}")  # another account's row: never on this account's pages
    pages: list[list[dict[str, Any]]] = []
    inserted: set[str] = set()
    target: str | None = LIST.format(account=account) + "?limit=50"
    while target is not None:
        response = httpx.get(base + target, timeout=10)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        target = _next(response)
        if target is not None:
            # Between pages: rows whose keys sort before the cursor, after it, and anywhere.
            inserted |= {_add(base, account, "0" + uuid.uuid4().hex),
                         _add(base, account, "z" + uuid.uuid4().hex),
                         *(_add(base, account) for _ in range(3))}
        assert len(pages) <= 3, "more pages than 120 rows (and 10 inserted) make at 50"
    seen = Counter(item["code"] for page in pages for item in page)
    assert [len(page) for page in pages][:2] == [50, 50] and len(pages) == 3
    assert max(seen.values()) == 1, "a row came twice"
    assert rows <= set(seen), f"rows missing: {sorted(rows - set(seen))[:5]}"
    assert set(seen) <= rows | inserted
    assert {item["account"] for page in pages for item in page} == {account}
    codes = [item["code"] for page in pages for item in page]
    assert codes == sorted(codes)  # by key, the keyset's order


def test_without_a_limit_a_page_holds_fifty_and_a_list_without_filter_pages_too(
        paging: System) -> None:
    base = paging.url("memo-service")
    for _ in range(60):
        _add(base, "everyone")
    first = httpx.get(base + "/api/v1/entries", timeout=10)
    assert first.status_code == 200 and len(first.json()) == 50
    rest = httpx.get(base + (_next(first) or "no next link"), timeout=10)
    assert rest.status_code == 200
    assert {e["code"] for e in first.json()}.isdisjoint(e["code"] for e in rest.json())


@pytest.mark.parametrize("limit", ["201", "0", "many"])
def test_a_limit_out_of_bounds_is_a_422_problem(paging: System, limit: str) -> None:
    for service in SERVICES:
        response = httpx.get(paging.url(service) + LIST.format(account="a"),
                             params={"limit": limit}, timeout=10)
        assert response.status_code == 422, (service, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert any(e["pointer"] == "/query/limit" for e in response.json()["errors"])


# A caller's typed client of a list endpoint (the kit's UpstreamClient.get_list), run in
# a process of its own with the generated kit on its path, as a calling service runs.
_CALLER = """
import asyncio, json, sys
from archgen_service_kit.clients import UpstreamClient
from purgatory import AsyncCircuitBreakerFactory

async def main():
    client = UpstreamClient("memo-service", sys.argv[1], 5.0, 2, 10,
                            AsyncCircuitBreakerFactory(), 5, 30.0, 1.0)
    try:
        print(json.dumps(await client.get_list(sys.argv[2])))
    finally:
        await client.aclose()

asyncio.run(main())
"""


def test_a_callers_client_reads_every_page_of_a_list(paging: System) -> None:
    base = paging.url("memo-service")
    account = f"called-{uuid.uuid4().hex[:8]}"
    rows = {_add(base, account) for _ in range(120)}
    done = subprocess.run([sys.executable, "-c", _CALLER, base, LIST.format(account=account)],
                          env={"PYTHONPATH": str(paging.out / "services" / "_kit" / "src")},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    codes = [item["code"] for item in json.loads(done.stdout)]
    assert sorted(codes) == sorted(rows)  # all 120 of its 3 pages, each once


def _cursor_of(paging: System, service: str, account: str) -> str:
    for _ in range(3):
        _add(paging.url(service), account)
    first = httpx.get(paging.url(service) + LIST.format(account=account),
                      params={"limit": 1}, timeout=10)
    found = re.search(r"cursor=([^&>]+)", first.headers["link"])
    assert found
    return found.group(1)


def _garbled(paging: System, service: str) -> list[str]:
    valid = _cursor_of(paging, service, "garbled")
    shape = base64.urlsafe_b64encode(json.dumps({"k": 1}).encode()).decode().rstrip("=")
    return ["!!not-a-cursor!!", valid[:-3], valid[:4] + "A" + valid[5:], shape, "e30",
            _cursor_of(paging, service, "another-account")]


@pytest.mark.parametrize("service", SERVICES)
def test_a_garbled_or_foreign_cursor_is_a_400_problem(paging: System, service: str) -> None:
    for cursor in _garbled(paging, service):
        response = httpx.get(paging.url(service) + LIST.format(account="garbled"),
                             params={"cursor": cursor}, timeout=10)
        assert response.status_code == 400, (cursor, response.status_code, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert "cursor" in response.json()["detail"]


def test_the_openapi_document_declares_the_page_parameters_and_the_link_header(
        paging: System) -> None:
    served = httpx.get(paging.url("ledger-service") + "/openapi.json", timeout=10).json()
    emitted = yaml.safe_load((paging.out / "openapi" / "ledger-service.yaml").read_text())
    assert served == json.loads(json.dumps(emitted, default=str))
    op = served["paths"][LIST]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["limit"]["in"] == "query" and not params["limit"]["required"]
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200,
                                         "default": 50}
    assert params["cursor"]["in"] == "query" and params["cursor"]["schema"]["type"] == "string"
    assert "Link" in op["responses"]["200"]["headers"]
    assert set(op["responses"]) >= {"400", "422"}
    read = served["paths"]["/api/v1/entries/{code}"]["get"]  # not a list: no page parameters
    assert {p["name"] for p in read["parameters"]} == {"code"}


def test_the_keyset_is_served_by_an_index_on_postgresql(paging: System, postgres: Path) -> None:
    """The page query's filter and order come from one index: no sort of the account's rows."""
    plan = psql(postgres, "ledger_service",
                "SET enable_seqscan = off; EXPLAIN SELECT * FROM entries WHERE account = 'a' "
                "AND code > 'm' ORDER BY code LIMIT 51")
    assert "Index" in plan and "Sort" not in plan, plan


def _as_earlier(out: Path, service: str) -> None:
    """Put the service's migrations back as the earlier archgen left them (its record and
    0001), in the files and in the output's manifest, as if it had generated this folder."""
    earlier = PAGING.parent / "paging-earlier"
    root = f"services/{service}/migrations/"
    manifest_path = out / ".archgen-manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for name, target in (("schema.json", "schema.json"),
                         ("0001_initial.py", "versions/0001_initial.py")):
        data = (earlier / name).read_bytes()
        (out / root / target).write_bytes(data)
        manifest["files"][root + target]["sha256"] = hashlib.sha256(data).hexdigest()
    # Made by another archgen: nothing of this run's cache or inputs holds for it.
    manifest["inputs"] = "sha256:" + "0" * 64
    manifest_path.write_text(json.dumps(manifest))
    (out / ".archgen-cache.json").unlink()


def test_a_database_made_before_pages_gets_the_keyset_index_in_a_new_revision(
        tmp_path: Path, postgres: Path) -> None:
    """fixtures/paging-earlier/: the ledger's migrations as archgen wrote them before list
    endpoints paged (its lookup index on `account` alone). Generating over them adds a
    revision that turns the index into (account, code); 0001 stays as it was."""
    out = tmp_path / "out"
    generate(PAGING, out)
    _as_earlier(out, "ledger-service")
    service = out / "services" / "ledger-service"
    versions = service / "migrations" / "versions"
    first = (versions / "0001_initial.py").read_bytes()
    old = create_database(postgres, "ledger_before_pages")
    alembic(service, old, "upgrade", "head")  # as deployed before: 0001
    assert "(account)" in psql(postgres, "ledger_before_pages",
                               "SELECT indexdef FROM pg_indexes WHERE indexname = "
                               "'ix_entries_account'")
    generate(PAGING, out)
    assert (versions / "0001_initial.py").read_bytes() == first
    second = (versions / "0002_catalog.py").read_text()
    assert 'op.create_index("ix_entries_account", "entries", ["account", "code"])' in second
    alembic(service, old, "upgrade", "head")
    alembic(service, old, "check")
    assert "(account, code)" in psql(postgres, "ledger_before_pages",
                                     "SELECT indexdef FROM pg_indexes WHERE indexname = "
                                     "'ix_entries_account'")
