"""The property: hostile text in every free-text field and hostile (but valid)
names, through every generator and export: no crash, every output well-formed in its
language (XML parses, YAML and JSON load, DOT renders, Markdown has no HTML), no
`javascript:` link, no file embedded from outside the output folder, no control or
bidi character, and the validator's report stays one line per finding."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from archgen.catalog import load_catalog_text
from archgen.formatting import post_format
from archgen.generators import GENERATORS
from archgen.generators.asyncapi import AsyncApiGenerator
from archgen.generators.diagrams import DiagramsGenerator
from archgen.generators.docs import DocsGenerator
from archgen.generators.exports import backstage, structurizr
from archgen.generators.openapi import OpenApiGenerator
from archgen.model.resolved import ResolvedCatalog
from archgen.output import OutputFile
from archgen.reporting import render_text
from archgen.validation import validate_text
from tests.helpers import ctx_of

HOSTILE = [
    '<<TABLE><TR><TD HREF="javascript:alert(1)"><IMG SRC="/etc/hostname"/></TD></TR></TABLE>>',
    "<b>x</b>", "<script>alert(1)</script>", '"]; click A call evil() %% @enduml',
    "nul\x00 esc\x1b[31m bel\x07 del\x7f c1\x85", "\u202eevil\u2066", "---", "1. x", "# h",
    "{{ 7*7 }} {% raw %} ${ENV} $(id) `id`", '""" \'\'\' \\ \\\\', "line\nbreak\r\n\ttab",
    "javascript:alert(1)", "&amp; &lt; &#0; ]]> <!-- -->", "x" * 300,
]
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
texts = st.one_of(st.sampled_from(HOSTILE),
                  st.text(st.one_of(st.characters(blacklist_categories=("Cs",)),
                                    st.sampled_from(list('<>&"\'`\\{}$#*_[]|-=\n\x00\x1b'))),
                          min_size=1, max_size=30))
dns = st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True).filter(
    lambda s: "--" not in s)
SETTINGS = settings(max_examples=10, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MARKDOWN = MarkdownIt("commonmark").enable("table")


def catalog_data(t: str, topic: str, services: int = 2) -> dict[str, Any]:
    """A catalog with `t` in every free-text field and `topic` as the topic's name."""
    svc: dict[str, Any] = {
        "bounded_context": t, "description": t, "team": t, "responsibilities": [t, t],
        "technology": {"language": t, "framework": t}, "x-note": t,
        "models": {"Problem": {"f": {"type": "str", "description": t}},
                   "ArchgenProblem": {"g": "str"}},
        "endpoints": {"GET /api/v1/x": {"summary": t, "description": t,
                                        "response": "Problem"}},
        "data_store": {"type": "relational", "technology": t, "name": topic, "owns": t},
        "publishes": {"x.happened": {"when": t, "description": t, "payload": {"f": "str"}}},
        "depends_on": {"b-service": {"description": t}},
    }
    data: dict[str, Any] = {
        "archgen": 1, "system": {"name": "shop", "title": t, "description": t, "owner": t},
        "gateway": {"technology": "kong", "purpose": t},
        "services": {"a-service": svc,
                     "b-service": {"bounded_context": t + "!",
                                   "consumes": {"x.happened": {"action": t}}}},
        "event_bus": {"technology": "kafka",
                      "topics": {topic: {"events": ["x.happened"], "description": t}}},
    }
    for i in range(services - 2):
        data["services"][f"s{i:02d}-service"] = {"bounded_context": t if i % 2 else "Other",
                                                 "depends_on": ["a-service"]}
    return data


def _load(data: dict[str, Any]) -> ResolvedCatalog:
    result = load_catalog_text(yaml.safe_dump(data, allow_unicode=True), "c.yaml")
    assert result.catalog is not None, [f.message for f in result.findings]
    return result.catalog


def _check_svg(content: bytes, where: str) -> None:
    root = ET.fromstring(content)
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.endswith("href"):
                assert not value.strip().lower().startswith("javascript:"), where
                if element.tag.endswith("image"):  # only archgen's icons, inlined
                    assert value.startswith("data:image/png;base64,"), (where, value[:80])


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _check_html(content: str, where: str) -> None:
    parser = _Tags()
    parser.feed(content)
    scripts = [dict(attrs) for t, attrs in parser.tags if t == "script"]
    # archgen's one script (allowed by hash), and at most the explorer's data island: JSON,
    # which the browser never runs, with every `<` escaped so that no text can end it.
    code = [a for a in scripts if a.get("type") != "application/json"]
    data = [a for a in scripts if a.get("type") == "application/json"]
    assert len(code) == 1 and code[0] == {}, where
    assert [a.get("id") for a in data] in ([], ["explore-model"]), where
    for tag, attrs in parser.tags:
        assert tag not in ("iframe", "object", "embed", "img", "foreignobject"), (where, tag)
        for name, value in attrs:
            assert not name.startswith("on"), (where, tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (where, tag)
            if tag == "image" and name.endswith("href"):
                assert (value or "").startswith("data:image/png;base64,"), where


def _check_markdown(content: str, where: str) -> None:
    tokens = MARKDOWN.parse(content)
    lines = content.split("\n")
    for token in tokens:
        if token.type == "html_block":
            assert token.content.startswith("<!--"), (where, token.content)
        if token.type == "hr" and token.map:  # only the template's own `---` lines
            assert lines[token.map[0]] == "---", (where, lines[token.map[0]])
        assert token.type != "ordered_list_open", where
        for child in token.children or []:
            assert child.type != "html_inline", (where, child.content)


def _check(file: OutputFile) -> None:
    path, content = file.path, file.content
    if isinstance(content, bytes):
        if path.endswith(".svg"):
            _check_svg(content, path)
        return
    assert not CONTROL.search(content), (path, CONTROL.search(content))
    if path.endswith(".py"):
        ast.parse(content, path)  # a description with \"\"\" or {{ stays inside its literal
    elif path.endswith((".yaml", ".yml")) and "/templates/" not in path:
        list(yaml.safe_load_all(content))
    elif path.endswith(".json"):
        json.loads(content)
    elif path.endswith(".html"):
        _check_html(content, path)
    elif path.endswith(".md"):
        _check_markdown(content, path)
    elif path.endswith(".dot"):
        subprocess.run(["dot", "-Tsvg", "-o", "/dev/null"], input=content.encode(),
                       check=True, capture_output=True, timeout=60)
    elif path.endswith(".puml"):
        assert content.count("@enduml") == 1, path
    elif path.endswith(".mmd"):
        assert not re.search(r"^\s*click\b", content, flags=re.MULTILINE), path


def _every_output(catalog: ResolvedCatalog, formats: tuple[str, ...]) -> list[OutputFile]:
    """Every registered generator's files (the services and deploy kinds included), post-
    formatted as `generate` writes them, plus the exports."""
    files: list[OutputFile] = []
    ctx = ctx_of(catalog)
    runtime = [g for k, g in GENERATORS.items() if k not in ("openapi", "asyncapi", "diagrams",
                                                             "docs")]
    for generator in (OpenApiGenerator(), AsyncApiGenerator(), DiagramsGenerator(formats),
                      DocsGenerator(), *runtime):
        files += post_format(generator.plan(ctx))
        assert not ctx.problems, ctx.problems  # type: ignore[attr-defined]
    files.append(OutputFile("catalog-info.yaml", backstage.render(catalog), "export"))
    files.append(OutputFile("workspace.dsl", structurizr.render(catalog), "export"))
    return files


@SETTINGS
@given(texts, dns)
def test_hostile_text_in_every_field_gives_safe_outputs(text: str, topic: str) -> None:
    for file in _every_output(_load(catalog_data(text, topic)), ("svg", "mermaid", "plantuml",
                                                                 "dot")):
        _check(file)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(HOSTILE[:6]))
def test_hostile_cluster_labels_past_thirty_services(text: str) -> None:
    catalog = _load(catalog_data(text, "orders", services=34))
    files = DiagramsGenerator(("svg",)).plan(ctx_of(catalog))
    for file in files:
        _check(file)


@SETTINGS
@given(texts)
def test_the_text_report_stays_one_line_per_finding(text: str) -> None:
    data = catalog_data(text, "none")
    data["services"]["a-service"]["nfr"] = {"availability": text}  # a finding quoting it
    report = validate_text(yaml.safe_dump(data, allow_unicode=True), "c.yaml")
    out = render_text([report])
    assert not CONTROL.search(out)
    assert len(out.splitlines()) == len(report.findings) + 1
