"""architecture.md follows the template's structure, fills every section, escapes text."""

from __future__ import annotations

import re
from pathlib import Path

from archgen.catalog import load_catalog_text
from archgen.generators.docs import DocsGenerator
from tests.diagrams.helpers import ecommerce, hostile
from tests.helpers import ECOMMERCE, ROOT, ctx_of, run_archgen

HEADINGS = ["## Architecture Overview", "### API Gateway", "### Service Mesh",
            "### Microservices", "#### Service: order-service",
            "### Data Stores (Database-per-Service)", "### Event Bus",
            "### Supporting Infrastructure", "#### Service Discovery",
            "#### Configuration Management", "#### Secrets Management",
            "#### Distributed Logging", "#### Monitoring & Alerting", "## Service Catalog",
            "## Communication Patterns", "### Synchronous Communication",
            "### Asynchronous Communication", "## Validation Checklist"]


def _markdown(catalog: object = None) -> str:
    files = DocsGenerator(prefix="").plan(ctx_of(catalog or ecommerce()))  # type: ignore[arg-type]
    return str(next(f.content for f in files if f.path == "architecture.md"))


def test_headings_appear_in_the_template_order() -> None:
    text = _markdown()
    positions = [text.index(h + "\n") for h in HEADINGS]
    assert positions == sorted(positions)


def test_every_service_is_documented_with_the_per_service_template() -> None:
    text = _markdown()
    for name in ecommerce().services:
        section = text.split(f"#### Service: {name}\n", 1)[1].split("\n#### ", 1)[0]
        for label in ("**Bounded Context**", "**Responsibilities**", "**Technologies**",
                      "**API Endpoints**", "**Data Store**", "**Events Published**",
                      "**Events Consumed**", "**Dependencies**",
                      "**Non-Functional Requirements**"):
            assert label in section, (name, label)
    assert "- `POST /api/v1/orders`: Create new order" in text
    assert "- Upstream Services: payment-service, inventory-service, customer-service" in text


def test_tables_have_a_row_per_service_store_and_topic() -> None:
    text = _markdown()
    assert "| order-service | Order Management | python / fastapi | postgresql 15 | orders |" \
        in text
    assert "| payment-service | Relational | postgresql | Payments and refunds |" in text
    assert re.search(r"\| `orders` \| order-service \| inventory-service, notification-service,"
                     r" payment-service, shipping-service \|", text)


def test_no_field_is_left_empty_and_the_checklist_is_ticked() -> None:
    text = _markdown()
    assert not re.search(r"^- [A-Za-z /&-]+: *$", text, re.MULTILINE)
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.fullmatch(r"\*\*[A-Za-z ]+\*\*: *", line):  # a label whose content follows
            following = next(x for x in lines[i + 1:] if x.strip())
            assert following.startswith(("- ", "| ", "####")), (line, following)
    assert text.count("- [x] ") == 10
    assert "```mermaid" in text


def test_a_failing_catalog_names_its_findings_in_the_checklist() -> None:
    source = ECOMMERCE.read_text(encoding="utf-8").replace("      name: payments-db\n",
                                                           "      name: orders-db\n")
    catalog = load_catalog_text(source).catalog
    text = _markdown(catalog)
    line = next(x for x in text.splitlines() if "Database-per-service" in x)
    assert line.startswith("- [ ] ")
    finding_lines = text.split(line, 1)[1].split("\n- [", 1)[0]
    assert "orders-db" in finding_lines and "AG" in finding_lines


def test_hostile_text_stays_text_in_markdown() -> None:
    text = _markdown(hostile())
    assert "<script>" not in text
    assert "\\<script\\>" in text or "&lt;script" in text
    table = next(x for x in text.splitlines()
                 if x.startswith("| b-service |") and "pipe" in x)
    assert table.count(" | ") == 4  # the `|` in the context is escaped, not a new cell


def test_docs_command_writes_both_documents(tmp_path: Path) -> None:
    result = run_archgen("docs", str(ECOMMERCE), "-o", str(tmp_path))
    assert result.code == 0, result.err
    assert (tmp_path / "architecture.md").read_text() == \
        (ROOT / "generated" / "ecommerce" / "docs" / "architecture.md").read_text()
    assert (tmp_path / "index.html").exists()
