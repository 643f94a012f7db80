"""Property tests of archgen.escaping: every function's output parses back, in its
target language, to the text it was given (or its `visible` form), and to nothing more."""

from __future__ import annotations

import ast
import html
import json
import re
import shlex
import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from archgen import escaping

SETTINGS = settings(max_examples=300, deadline=None)
HOSTILE = ['"]; click A call evil()', "<IMG SRC=/etc/x.png>", "<a href='javascript:x'>y</a>",
           "a\x00b", "\x1b[31mred\x07", "\u202eevil", "{{ .Values.x }}", '"""', "${x}", "$(id)",
           "---", "1. x", "# h", "\\", "\\\\\"", "'; rm -rf / #", "\r\n", "\ud800", "\ufffe"]
# Text as a catalog can carry it, with the characters attackers reach for made likely.
texts = st.one_of(st.sampled_from(HOSTILE), st.text(
    st.one_of(st.characters(), st.sampled_from(list("<>&\"'`\\{}$#*_[]|-=+.!\n\t\r\x00\x1b"
                                                    "\u202e\u2028"))), max_size=40))
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                       "\u2028\u2029\ud800-\udfff]")


def _xml_normalized(text: str) -> str:
    return escaping.visible(text).replace("\r\n", "\n").replace("\r", "\n")


@SETTINGS
@given(texts)
def test_visible_and_terminal_text_leave_nothing_invisible(text: str) -> None:
    assert not INVISIBLE.search(escaping.visible(text))
    line = escaping.terminal_text(text)
    assert not INVISIBLE.search(line) and not re.search("[\n\r\t]", line)


@SETTINGS
@given(texts)
def test_dot_label_is_one_quoted_string(text: str) -> None:
    body = escaping.dot_label(text)
    assert re.fullmatch(r'(?:[^"\\\n\r]|\\.)*', body)
    assert not INVISIBLE.search(body)
    decoded = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), body)
    if len(text) < 100:
        assert decoded == escaping.visible(text).replace("\r", "")


def test_dot_labels_render_as_well_formed_svg_without_html() -> None:
    nodes = "\n".join(f'n{i} [label="{escaping.dot_label(t)}"];' for i, t in enumerate(HOSTILE))
    clusters = "\n".join(f'subgraph cluster_{i} {{ label="{escaping.dot_label(t)}"; c{i}; }}'
                         for i, t in enumerate(HOSTILE))
    source = f"digraph g {{\n{nodes}\n{clusters}\n}}\n"
    svg = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True,
                         check=True, timeout=60).stdout
    root = ET.fromstring(svg)
    assert not root.findall(".//{http://www.w3.org/2000/svg}image")
    assert b"javascript:" not in svg.replace(b"javascript:x&#39;", b"")  # only as text


@SETTINGS
@given(texts)
def test_xml_text_round_trips_as_text_and_attribute(text: str) -> None:
    escaped = escaping.xml_text(text)
    element = ET.fromstring(f'<a b="{escaped}" c=\'{escaped}\'>{escaped}</a>')
    assert (element.text or "") == _xml_normalized(text)
    assert len(element) == 0
    assert element.get("b") == element.get("c")


@SETTINGS
@given(texts)
def test_html_text_has_no_markup(text: str) -> None:
    escaped = escaping.html_text(text)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped
    assert html.unescape(escaped) == escaping.visible(text)


MARKDOWN = MarkdownIt("commonmark").enable("table")


def _only_text(tokens: list, expected_text: str) -> None:  # type: ignore[type-arg]
    kinds = {t.type for t in tokens}
    assert kinds <= {"paragraph_open", "paragraph_close", "inline", "bullet_list_open",
                     "bullet_list_close", "list_item_open", "list_item_close"}, kinds
    inline = [t for t in tokens if t.type == "inline"]
    children = [c for t in inline for c in t.children or []]
    assert all(c.type in ("text", "softbreak") for c in children), children
    assert "".join(c.content for c in children) == expected_text


@SETTINGS
@given(texts)
def test_markdown_inline_renders_as_its_text(text: str) -> None:
    escaped = escaping.markdown_inline(text)
    expected = " ".join(escaping.visible(text).split()).replace("\x00", "\ufffd")
    if not expected:
        return
    _only_text(MARKDOWN.parse(escaped), expected)
    _only_text(MARKDOWN.parse(f"- {escaped}"), expected)


@pytest.mark.parametrize("text", ["---", "1. x", "1) x", "***", "# h", "> q", "+ a", "==="])
def test_markdown_block_markers_stay_text(text: str) -> None:
    _only_text(MARKDOWN.parse(f"- {escaping.markdown_inline(text)}"), text)
    _only_text(MARKDOWN.parse(escaping.markdown_inline(text)), text)


@SETTINGS
@given(texts)
def test_markdown_code_is_one_code_span(text: str) -> None:
    span = escaping.markdown_code(text)
    tokens = MARKDOWN.parseInline(span.replace("\\|", "|"))[0].children or []
    assert [t.type for t in tokens] == ["code_inline"]


@SETTINGS
@given(texts)
def test_mermaid_and_plantuml_labels_hold_only_safe_characters(text: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9 .,:/()\[\]+=?@_#;<>br-]*", escaping.mermaid_label(text))
    puml = escaping.plantuml_label(text)
    assert re.fullmatch(r"[A-Za-z0-9 .,:()+=?&#;\\n/_-]*", puml)
    assert "--" not in puml and "__" not in puml and "//" not in puml


@SETTINGS
@given(texts)
def test_structurizr_string_is_one_plain_string(text: str) -> None:
    out = escaping.structurizr_string(text)
    assert re.fullmatch(r'"[^"\\\n\r]*"', out) and "${" not in out
    assert not INVISIBLE.search(out)


@SETTINGS
@given(texts)
def test_python_literal_and_docstring_compile_to_the_text(text: str) -> None:
    literal = escaping.python_string_literal(text)
    assert "\n" not in literal and ast.literal_eval(literal) == text
    module = ast.parse(f'def f():\n    """{escaping.python_docstring(text)}"""\n')
    function = module.body[0]
    assert isinstance(function, ast.FunctionDef) and len(function.body) == 1
    assert ast.get_docstring(function, clean=False) == escaping.visible(text).replace("\r", "")


@SETTINGS
@given(texts, texts)
def test_python_identifier_is_valid_and_distinct(a: str, b: str) -> None:
    import keyword

    ident_a, ident_b = escaping.python_identifier(a), escaping.python_identifier(b)
    assert ident_a.isidentifier() and ident_a.isascii() and not keyword.iskeyword(ident_a)
    assert (ident_a == ident_b) == (a == b)


@SETTINGS
@given(texts)
def test_shell_word_is_one_word(text: str) -> None:
    assert shlex.split(escaping.shell_word(text)) == [text.replace("\x00", "\\x00")]


def test_shell_word_survives_a_real_shell() -> None:
    words = [t for t in HOSTILE if "\ud800" not in t]
    script = "printf '%s\\0' " + " ".join(escaping.shell_word(t) for t in words)
    out = subprocess.run(["sh", "-c", script], capture_output=True, check=True, timeout=30)
    assert out.stdout.decode().split("\0")[:-1] == [w.replace("\x00", "\\x00") for w in words]


@SETTINGS
@given(texts)
def test_dockerfile_string_is_one_line_without_expansion(text: str) -> None:
    out = escaping.dockerfile_string(text)
    assert re.fullmatch(r'"(?:[^"\\\n\r$]|\\.)*"', out)
    assert re.sub(r"\\(.)", r"\1", out[1:-1]) == " ".join(escaping.visible(text).split())


@SETTINGS
@given(texts)
def test_json_and_helm_literals_are_data_never_templates(text: str) -> None:
    assert json.loads(escaping.json_string(text)) == text
    assert yaml.safe_load(escaping.yaml_double_quoted(text)) == escaping.visible(text)
    helm = escaping.helm_literal(text)
    assert helm.startswith('{{ "') and helm.endswith('" }}')
    assert helm.count("{{") == 1 and helm.count("}}") == 1
    go = helm[3:-3]  # a Go interpreted string with only \\ and \" escapes, ASCII only
    assert go.isascii()
    rendered = ast.literal_eval(go)  # the same literal in Python
    assert yaml.safe_load(f"k: {rendered}") == {"k": escaping.visible(text)}


@SETTINGS
@given(texts)
def test_templates_place_catalog_text_as_data_never_as_template_or_code(text: str) -> None:
    from archgen.templating import environment

    source = environment().from_string('x = {{ v|py_str }}\n"""{{ v|py_doc }}"""\n').render(v=text)
    module = ast.parse(source)
    assigned = module.body[0]
    assert isinstance(assigned, ast.Assign) and len(module.body) == 2
    assert ast.literal_eval(assigned.value) == text
    assert not INVISIBLE.search(source)
    # Jinja renders a value once: `{{ 7*7 }}` in the catalog stays those characters.
    assert environment().from_string("{{ v }}").render(v=text) == escaping.visible(text)
