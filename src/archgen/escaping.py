"""One escaping function per output language: the only place catalog text is made safe.

Every generator that puts catalog text (names, descriptions, labels, anything a
user wrote) into an output passes it through the function for that output's
language, here, and nowhere else. Each function is total (any str
in, no exception), and a hypothesis property test in tests/test_escaping.py
checks that its output parses back, in that language, to the text (or to its
`visible` form) and to nothing else.

- terminal, one-line messages: `terminal_text` (and `visible` everywhere)
- Graphviz DOT: `dot_label` (plain labels; HTML labels never, see below)
- SVG / XML text and attributes: `xml_text`
- HTML: Jinja autoescape with `visible` as the environment's finalize; `html_text`
- Markdown: `markdown_inline`, `markdown_code`
- Mermaid: `mermaid_label`;  PlantUML: `plantuml_label`
- Structurizr DSL: `structurizr_string`
- Python source: `python_string_literal`, `python_docstring`, `python_identifier`
- shell / Dockerfile: `shell_word`, `dockerfile_string` (exec form: `json.dumps(words)`)
- Helm (Go templates): `helm_literal`, or catalog values in values.yaml only
- YAML / JSON (specs, Envoy, Kong): their emitters (`yaml.safe_dump`, `json.dumps`);
  `json_string`, `yaml_double_quoted` for a single scalar

Rules that hold for every language:
- Control characters (C0 but tab/newline, DEL, C1), bidirectional overrides and
  characters XML forbids are never copied: `visible` turns them into `\\xNN` /
  `\\uNNNN` text, so a NUL cannot cut a label, an ESC cannot break an SVG and an
  RLO cannot reorder a report line.
- Graphviz HTML-like labels (`<...>`) are never made from catalog text: through
  the `graphviz` package every label is wrapped with `graphviz.nohtml`
  (archgen.generators.diagrams.render does it in one place), in DOT text it is quoted.
- Catalog text is never evaluated as a template: Jinja sees it only as data
  (values passed to `render`), Helm only inside a Go string literal.

This module imports nothing from archgen: every other module may import it.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import re

__all__ = [
    "DOT_MAX",
    "dockerfile_string",
    "dot_label",
    "has_invisible",
    "helm_literal",
    "html_text",
    "json_string",
    "markdown_code",
    "markdown_inline",
    "mermaid_label",
    "plantuml_label",
    "python_docstring",
    "python_identifier",
    "python_string_literal",
    "shell_word",
    "structurizr_string",
    "terminal_text",
    "unicode_allowed",
    "visible",
    "xml_text",
    "yaml_double_quoted",
]

# C0 controls but \t \n \r, DEL, C1 controls; zero-width and bidi marks, embeddings,
# overrides and isolates (Trojan Source); line/paragraph separators; the byte order mark;
# lone surrogates and the XML non-characters.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f"
                        "\u2028\u2029\u202a-\u202e\u2060-\u2069\ud800-\udfff\ufeff"
                        "\ufffe\uffff]")
_ALSO_IN_ONE_LINE = re.compile("[\t\n\r]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def has_invisible(text: str) -> bool:
    """Whether `text` holds a character `visible` would write out."""
    return _INVISIBLE.search(text) is not None


def unicode_allowed(document: object) -> bool:
    """Whether a YAML emitter may write `document`'s non-ASCII text raw: not when a string
    holds an invisible character (what a reviewer reads is what is there).
    Every YAML archgen writes asks this, so the rule has one home."""
    stack: list[object] = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if has_invisible(value):
                return False
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return True


def visible(text: str) -> str:
    """`text` with every invisible or dangerous character written out as `\\xNN`/`\\uNNNN`.

    Newlines, tabs and carriage returns are kept (they are layout, not attacks).
    """
    return _INVISIBLE.sub(_escape_char, text)


def terminal_text(text: str) -> str:
    """One line for a terminal or a log: `visible`, and tabs/newlines written out too."""
    return _ALSO_IN_ONE_LINE.sub(_escape_char, visible(text))


def _one_line(text: str) -> str:
    return " ".join(visible(text).split())


# ---------------------------------------------------------------- Graphviz DOT
# Graphviz refuses strings past 16,384 characters (and long labels make huge
# drawings); the validator reports such text (AG017), this is the last guard.
DOT_MAX = 2000


def dot_label(text: str) -> str:
    """The body of a DOT double-quoted string (plain label, never HTML-like).

    Backslashes and quotes escaped, newlines as centred line breaks, control
    characters made visible, and cut to DOT_MAX characters.
    """
    text = visible(text)
    if len(text) > DOT_MAX:
        text = text[:DOT_MAX - 1] + "\u2026"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return escaped.replace("\r", "").replace("\n", "\\n")


# ---------------------------------------------------------------- XML, SVG and HTML
def xml_text(text: str) -> str:
    """XML character data or an attribute value (either quote): `& < > " '` as entities."""
    return (visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def html_text(text: str) -> str:
    """HTML text or a quoted attribute value (the same entities as XML)."""
    return xml_text(text)


# ---------------------------------------------------------------- Markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$])")
# What starts a block at the start of a line: headings, quotes, list markers,
# thematic breaks and setext underlines (`#`, `>`, `-`, `+`, `*`, `=`, `_`).
_MD_BLOCK_START = re.compile(r"^([-+=#])")
_MD_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def markdown_inline(text: str) -> str:
    """One line of Markdown text that renders as exactly `text`: no markup, no HTML.

    Safe inside a paragraph, a list item, a heading or a GFM table cell.
    """
    text = _one_line(text).replace("&", "&amp;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_BLOCK_START.sub(r"\\\1", text)
    return _MD_ORDERED.sub(r"\1\\\2", text)


def markdown_code(text: str) -> str:
    """An inline code span that survives any backticks and GFM table pipes in `text`."""
    text = _one_line(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# ---------------------------------------------------------------- Mermaid and PlantUML
_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 .,:/()\[\]+=?@_-]")
_PLANTUML_SAFE = re.compile(r"[A-Za-z0-9 .,:()+=?]")
_PLANTUML_SINGLE = re.compile(r"[-_/]")  # creole markup only when doubled: --, __, //


def mermaid_label(text: str) -> str:
    """A Mermaid label body (inside double quotes): entity codes for everything unusual."""
    lines = visible(text).replace("\r", "").split("\n")
    return "<br/>".join("".join(c if _MERMAID_SAFE.fullmatch(c) else f"#{ord(c)};"
                                for c in line) for line in lines)


def plantuml_label(text: str) -> str:
    """A PlantUML string argument: numeric entities stop creole, preprocessor and quotes."""
    out: list[str] = []
    for line in visible(text).replace("\r", "").split("\n"):
        chars: list[str] = []
        for i, c in enumerate(line):
            doubled = (i + 1 < len(line) and line[i + 1] == c) or (i > 0 and line[i - 1] == c)
            safe = _PLANTUML_SAFE.fullmatch(c) or (_PLANTUML_SINGLE.fullmatch(c) and not doubled)
            chars.append(c if safe else f"&#{ord(c)};")
        out.append("".join(chars))
    return "\\n".join(out)


# ---------------------------------------------------------------- Structurizr DSL
def structurizr_string(text: str) -> str:
    """A quoted DSL string: one line, no `"` (ends it), no `${` (substitution), no `\\`."""
    cleaned = _one_line(text).replace('"', "'").replace("\\", "/").replace("${", "$ {")
    return f'"{cleaned}"'


# ---------------------------------------------------------------- Python
def python_string_literal(text: str) -> str:
    """A double-quoted Python string literal that evaluates to `text`, on one line.

    Quotes, backslashes, newlines and every non-printable character (controls,
    bidi overrides, lone surrogates) are escapes, so the literal cannot end early
    nor hide code; printable text (any script) stays as written.
    """
    out: list[str] = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char in _PY_NAMED:
            out.append(_PY_NAMED[char])
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


_PY_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def python_docstring(text: str) -> str:
    """The body of a triple-double-quoted docstring: `visible`, no `\\` or `\"\"\"` left live."""
    body = visible(text).replace("\\", "\\\\").replace('"', '\\"')
    return body.replace("\r", "")


_NOT_IDENT = re.compile(r"\W")


def python_identifier(text: str) -> str:
    """A valid, non-keyword Python identifier; distinct texts give distinct identifiers.

    A text that already is a plain ASCII identifier is kept (a keyword gets a
    trailing `_`); anything else is sanitized and gets a short hash suffix.
    """
    if text.isidentifier() and text.isascii():
        return f"{text}_" if keyword.iskeyword(text) or keyword.issoftkeyword(text) else text
    clean = _NOT_IDENT.sub("_", text.encode("ascii", "replace").decode("ascii"))[:60]
    if not clean or clean[0].isdigit():
        clean = "x_" + clean
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{clean}_{digest}"


# ---------------------------------------------------------------- shell and Dockerfile
def shell_word(text: str) -> str:
    """One POSIX shell word: single-quoted unless plainly safe (NUL made visible)."""
    text = text.replace("\x00", "\\x00")
    if text and re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"


def dockerfile_string(text: str) -> str:
    """A double-quoted Dockerfile value (ENV, LABEL, ARG): one line, no `$` expansion.

    Runs of whitespace (newlines included) become one space: Dockerfiles have no
    escape for a newline inside a value.

    For RUN/CMD/ENTRYPOINT use the exec form, `json.dumps(list_of_words)`.
    """
    body = _one_line(text).replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{body}"'


# ---------------------------------------------------------------- YAML, JSON and Helm
def json_string(text: str) -> str:
    """A JSON string literal (also a YAML double-quoted scalar), ASCII only."""
    return json.dumps(text, ensure_ascii=True)


def yaml_double_quoted(text: str) -> str:
    """A YAML double-quoted scalar of `visible(text)`, ASCII only (no emitter needed)."""
    out: list[str] = []
    for char in visible(text):
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code > 0xFFFF:
            out.append(f"\\U{code:08x}")
        else:
            out.append(f"\\u{code:04x}")
    return '"' + "".join(out) + '"'


def helm_literal(text: str) -> str:
    """A Helm template action that prints `text` as a quoted YAML scalar, never evaluated.

    The value is a YAML double-quoted scalar inside a Go string literal inside
    `{{ }}`: Go's template lexer reads a quoted literal to its closing quote, and
    braces are written as escapes, so `{{`, `}}`, `.Values` or `include` in the
    text stay text. Prefer putting catalog values in values.yaml (through the
    YAML emitter) and `| quote`-ing them in templates; use this where a template
    must carry the text itself.
    """
    value = yaml_double_quoted(text).replace("{", "\\u007b").replace("}", "\\u007d")
    go = value.replace("\\", "\\\\").replace('"', '\\"')
    return '{{ "' + go + '" }}'
