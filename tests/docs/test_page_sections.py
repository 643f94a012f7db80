"""index.html carries every section architecture.md has: same headings, same order, same facts.

The Markdown is parsed as Markdown (markdown-it), the page as HTML, so escaping on
either side cannot fake or hide a match.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
from markdown_it import MarkdownIt

from archgen.catalog import load_catalog_text
from archgen.generators.docs import DocsGenerator
from archgen.generators.docs.sections import (
    communication_facts,
    event_bus_facts,
    gateway_facts,
    infrastructure_facts,
    mesh_facts,
)
from archgen.model.resolved import ResolvedCatalog
from tests.diagrams.helpers import ecommerce
from tests.helpers import ROOT, ctx_of

EVERY_FIELD = ROOT / "tests" / "fixtures" / "every_field.yaml"
_HEADING = re.compile(r"<h([1-4])\b[^>]*>(.*?)</h\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def every_field() -> ResolvedCatalog:
    loaded = load_catalog_text(EVERY_FIELD.read_text(encoding="utf-8"), str(EVERY_FIELD))
    assert loaded.catalog is not None, loaded.errors
    return loaded.catalog


CATALOGS = {"ecommerce": ecommerce, "every_field": every_field}


def documents(catalog: ResolvedCatalog) -> tuple[str, str]:
    files = {f.path: str(f.content) for f in DocsGenerator(prefix="").plan(ctx_of(catalog))}
    return files["architecture.md"], files["index.html"]


def markdown_sections(text: str) -> list[tuple[int, str, list[str]]]:
    """(level, heading, bold labels of its own text) per heading, in order."""
    tokens = MarkdownIt().parse(text)
    out: list[tuple[int, str, list[str]]] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            out.append((int(token.tag[1]), tokens[i + 1].content and _plain(tokens[i + 1]), []))
        elif token.type == "inline" and out and tokens[i - 1].type != "heading_open":
            children = token.children or []
            out[-1][2].extend(children[j + 1].content for j, c in enumerate(children)
                              if c.type == "strong_open")
    return out


def _plain(inline: object) -> str:
    """The text a reader sees in an inline token (code spans and escapes resolved)."""
    return "".join(c.content for c in getattr(inline, "children", []) or []
                   if c.type in ("text", "code_inline"))


def page_sections(page: str) -> list[tuple[int, str, str]]:
    """(level, heading, the page's text up to the next heading) per h1-h4, in order."""
    found = list(_HEADING.finditer(page))
    out = []
    for n, match in enumerate(found):
        end = found[n + 1].start() if n + 1 < len(found) else len(page)
        body = html_lib.unescape(_TAG.sub(" ", page[match.end():end]))
        out.append((int(match.group(1)), _text(match.group(2)), " ".join(body.split())))
    return out


def _text(fragment: str) -> str:
    return " ".join(html_lib.unescape(_TAG.sub("", fragment)).split())


@pytest.mark.parametrize("name", CATALOGS)
def test_every_markdown_heading_is_a_section_of_the_page_in_the_same_order(name: str) -> None:
    markdown, page = documents(CATALOGS[name]())
    wanted = [(level, " ".join(text.split())) for level, text, _ in markdown_sections(markdown)]
    have = [(level, text) for level, text, _ in page_sections(page)]
    missing = [h for h in wanted if h not in have]
    assert missing == []
    positions = [have.index(h) for h in wanted]
    assert positions == sorted(positions), "the page orders its sections unlike the Markdown"


@pytest.mark.parametrize("name", CATALOGS)
def test_each_section_of_the_page_has_the_labels_of_the_markdown_section(name: str) -> None:
    markdown, page = documents(CATALOGS[name]())
    sections = {(level, text): body for level, text, body in page_sections(page)}
    for level, heading, labels in markdown_sections(markdown):
        body = sections[(level, " ".join(heading.split()))]
        absent = [label for label in labels if label not in body]
        assert absent == [], heading


@pytest.mark.parametrize("name", CATALOGS)
def test_gateway_mesh_infrastructure_and_communication_facts_are_on_the_page(
        name: str) -> None:
    catalog = CATALOGS[name]()
    _, page = documents(catalog)
    sections = {text: body for _, text, body in page_sections(page)}
    expected = {
        "API Gateway": gateway_facts(catalog).values(),
        "Service Mesh": mesh_facts(catalog).values(),
        "Event Bus": event_bus_facts(catalog).values(),
        "Synchronous Communication": [v for k, v in communication_facts(catalog).items()
                                      if k.startswith("sync") or k in ("breakers", "timeouts")],
        "Asynchronous Communication": [v for k, v in communication_facts(catalog).items()
                                       if k.startswith("async") or k == "dlq"],
    }
    for heading, values in expected.items():
        absent = [v for v in values if " ".join(v.split()) not in sections[heading]]
        assert absent == [], heading
    for heading, tech, purpose in infrastructure_facts(catalog):
        assert f"Technology: {tech}" in sections[heading]
        assert f"Purpose: {purpose}" in sections[heading]


def test_the_gateway_section_names_its_auth_and_every_tier() -> None:
    catalog = every_field()
    _, page = documents(catalog)
    gateway = {text: body for _, text, body in page_sections(page)}["API Gateway"]
    assert catalog.gateway is not None and catalog.gateway.rate_limits
    for tier, limit in catalog.gateway.rate_limits.items():
        assert f"{tier} {limit.requests}/{limit.period}" in gateway
    assert gateway_facts(catalog)["auth"] in gateway
