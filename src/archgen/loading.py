"""YAML -> plain Python data plus a source map, safely.

One iterative pass over libyaml's event stream builds the data. Doing it from
events rather than from ``compose()`` matters: the C composer recurses and
segfaults on ~100,000-deep nesting, while events are flat, so depth is checked
before it can hurt. The same pass rejects duplicate keys with both positions
(PyYAML silently keeps the last), allows ``<<:`` merges, counts nodes
including alias expansions (alias bombs stop at once), and notes YAML 1.1
traps (``no`` -> False, ``1.10`` -> 1.1, ``1:30`` -> 90).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from archgen.errors import ArchgenError
from archgen.findings import Finding, Location, Pointer, Severity, Span

MAX_FILE_BYTES = 32 * 1024 * 1024
# Literal nodes are bounded by the file size (a 10,000-service catalog is 20 MB
# and 1.8M nodes); the total cap is a backstop. Alias bombs hit the expansion cap.
MAX_NODES = 8_000_000
MAX_ALIAS_NODES = 1_000_000
MAX_DEPTH = 64

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STR_TAG = "tag:yaml.org,2002:str"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
MERGE_TAG = "tag:yaml.org,2002:merge"
_SAFE_SCALAR_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "bool", "int", "float", "null", "timestamp", "merge")
)
_SAFE_COLLECTION_TAGS = frozenset({None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_YAML12_BOOLS = frozenset({"true", "false", "True", "False", "TRUE", "FALSE"})


# A span as four ints: (line, col, end_line, end_col), 1-based.
RawSpan = tuple[int, int, int, int]


class Spans(MutableMapping[Pointer, Span]):
    """Spans by pointer, kept as plain tuples and handed out as Span objects.

    A catalog has a few hundred thousand nodes. As tuples of ints their spans
    cost nothing to the garbage collector (it untracks such tuples); as Span
    objects they were half of the objects every full collection had to scan.
    """

    __slots__ = ("raw",)

    def __init__(self, raw: dict[Pointer, RawSpan] | None = None) -> None:
        self.raw: dict[Pointer, RawSpan] = {} if raw is None else raw

    def __getitem__(self, pointer: Pointer) -> Span:
        return Span(*self.raw[pointer])

    def __setitem__(self, pointer: Pointer, span: Span) -> None:
        self.raw[pointer] = (span.line, span.col, span.end_line, span.end_col)

    def __delitem__(self, pointer: Pointer) -> None:
        del self.raw[pointer]

    def __contains__(self, pointer: object) -> bool:
        return pointer in self.raw

    def __iter__(self) -> Iterator[Pointer]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __repr__(self) -> str:
        return f"Spans({len(self.raw)} nodes)"


@dataclass
class SourceMap:
    """Where each node of the catalog is: value spans and key spans by pointer."""

    file: str
    values: Spans = field(default_factory=Spans)
    keys: Spans = field(default_factory=Spans)

    def span(self, pointer: Pointer, *, key: bool = False) -> Span:
        """The span of the node, or of its nearest ancestor that has one."""
        if key and pointer in self.keys:
            return self.keys[pointer]
        p = pointer
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), Span(1, 1, 1, 1))

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        return Location(self.file, pointer, self.span(pointer, key=key))


@dataclass
class LoadedYaml:
    data: Any
    source_map: SourceMap
    findings: list[Finding]
    text: str = ""  # the decoded source, for what reads comments (inline suppressions)

    @property
    def ok(self) -> bool:
        """False when the file could not be read as YAML at all (there is nothing to validate)."""
        return not any(f.code in FATAL_LOAD_CODES for f in self.findings)


# Codes of problems after which there is no data to validate.
FATAL_LOAD_CODES = frozenset({"AG001", "AG003", "AG004", "AG008"})


def _span(start: Any, end: Any) -> RawSpan:
    return (start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _finding(code: str, slug: str, message: str, loc: Location, hint: str = "",
             severity: Severity = Severity.ERROR,
             related: tuple[Location, ...] = ()) -> Finding:
    return Finding(code, slug, severity, message, loc, hint, related)


def read_catalog_text(path: Path, display: str) -> tuple[str | None, list[Finding]]:
    """Read and decode a catalog file; size and encoding problems are findings."""
    root = Location(display, (), Span(1, 1, 1, 1))
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ArchgenError(f"{display}: not a file")
        if size > MAX_FILE_BYTES:
            return None, [_finding(
                "AG003", "input-too-large",
                f"file is {size / 1048576:.1f} MiB; catalogs are limited to "
                f"{MAX_FILE_BYTES // 1048576} MiB", root,
                "split the catalog or check that this is the right file")]
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ArchgenError(f"{display}: no such file",
                           "pass the catalog path, or run `archgen init` to create one") from None
    except (IsADirectoryError, PermissionError, OSError) as exc:
        raise ArchgenError(f"{display}: cannot read ({exc.strerror or exc})") from None
    return decode_catalog_bytes(raw, display)


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)


def _line_col(text: str | bytes, index: int) -> tuple[int, int]:
    nl = "\n" if isinstance(text, str) else b"\n"
    line = text.count(nl, 0, index) + 1  # type: ignore[arg-type]
    start = text.rfind(nl, 0, index) + 1  # type: ignore[arg-type]
    return line, index - start + 1


def decode_catalog_bytes(raw: bytes, display: str) -> tuple[str | None, list[Finding]]:
    """YAML allows UTF-8, -16 and -32 with a BOM; without one it must be UTF-8."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if raw.startswith(bom):
            encoding = name
            break
    if encoding == "utf-8" and b"\x00" in raw[:8192]:
        line, col = _line_col(raw, raw.index(b"\x00"))
        return None, [_finding(
            "AG004", "encoding", "file looks binary (NUL byte); a catalog is UTF-8 YAML text",
            Location(display, (), Span(line, col, line, col)))]
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        return None, [_finding(
            "AG004", "encoding",
            f"not valid {encoding.upper()}: byte 0x{raw[exc.start]:02x} cannot be decoded",
            Location(display, (), Span(line, col, line, col)),
            "save the file as UTF-8")]
    return text.lstrip("\ufeff"), []


def load_yaml_file(path: Path, display: str | None = None) -> LoadedYaml:
    shown = display if display is not None else str(path)
    text, findings = read_catalog_text(path, shown)
    if text is None:
        return LoadedYaml(None, SourceMap(shown), findings)
    return load_yaml_text(text, shown)


def load_yaml_text(text: str, display: str = "<string>") -> LoadedYaml:
    builder = _Builder(text, display)
    try:
        builder.run()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = _error_span(text, mark) if mark else None
        problem = " ".join(str(exc.problem or exc).split())
        context = f" ({' '.join(str(exc.context).split())})" if exc.context else ""
        where = Location(display, (), span or Span(1, 1, 1, 1))
        if "maximum nesting depth" in problem:
            # libyaml >= 0.2.6 stops at 1,000 levels itself, before our own depth check.
            builder.findings.append(_finding(
                "AG003", "input-too-large",
                f"nesting deeper than {MAX_DEPTH} levels; no catalog needs that", where))
        elif _tab_at(text, mark):
            builder.findings.append(_finding(
                "AG001", "yaml-syntax", "YAML syntax error: a tab character where YAML "
                "expects spaces (YAML indents with spaces only)", where,
                "replace the tab with spaces; editors can show tabs (shown as → in "
                "--format full)"))
        else:
            builder.findings.append(_finding(
                "AG001", "yaml-syntax", f"YAML syntax error: {problem}{context}", where,
                _syntax_hint(text, mark, problem)))
        builder.data = None
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        builder.findings.append(_finding(
            "AG004", "encoding",
            f"character {exc.character!r} is not allowed in YAML",
            Location(display, (), Span(line, col, line, col)),
            "remove control characters; this may not be a text file"))
        builder.data = None
    except _Abort:
        builder.data = None
    return LoadedYaml(builder.data, builder.source_map, builder.findings, text)


def _error_span(text: str, mark: Any) -> Span:
    """Where the parser stopped. YAML also breaks lines at NEL, LS and PS, which editors
    (and the line count users see) do not: past the last line, point at the last line."""
    last = text.count("\n") + 1
    if mark.line + 1 > last:
        return Span(last, 1, last, 1)
    return Span(mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 1)


def _tab_at(text: str, mark: Any) -> bool:
    """Whether the parser stopped at a tab, or inside leading blanks that hold one."""
    if mark is None:
        return False
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    lead = line[:len(line) - len(line.lstrip(" \t"))]
    return line[mark.column:mark.column + 1] == "\t" or (
        mark.column <= len(lead) and "\t" in lead)


_BRACKET_TYPE = re.compile(r"\{[^}\"']*:\s*(list|dict)\[")
_BRACE_IN_FLOW = re.compile(r"\[[^\]\"']*/\{[A-Za-z_]")


def _syntax_hint(text: str, mark: Any, problem: str) -> str:
    """Say what usually causes this error, when the line shows it."""
    if mark is None:
        return ""
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    if _BRACKET_TYPE.search(line):
        return 'inside {...}, quote types with brackets: response: "list[Order]"'
    if _BRACE_IN_FLOW.search(line):
        return 'inside [...], quote paths with {params}: ["GET /api/v1/orders/{id}"]'
    if len(line) > 1024 and "mapping values are not allowed" in problem:
        return "YAML allows plain keys of at most 1024 characters"
    return ""


class _Abort(Exception):
    """Stop building: a fatal finding has been recorded."""


@dataclass(slots=True)
class _Frame:
    container: dict[Any, Any] | list[Any]
    pointer: Pointer
    span_start: Any
    anchor: str | None
    size: int = 1
    key: Any = None
    awaiting_key: bool = True
    key_spans: dict[Any, RawSpan] = field(default_factory=dict)
    merges: list[dict[Any, Any]] | None = None
    merge_next: bool = False
    child: Pointer | None = None  # (*pointer, key part of `key`), built once per key


class _Builder:
    def __init__(self, text: str, display: str) -> None:
        self.loader: Any = _Loader(text)  # libyaml's parser is untyped
        self.display = display
        self.source_map = SourceMap(display)
        self.findings: list[Finding] = []
        self.data: Any = None
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.expanded = 0
        self.stack: list[_Frame] = []
        # Implicit tag resolution is a pure function of (text, implicit) for the safe
        # loader (it has no path resolvers), and catalogs repeat the same words a lot.
        self.tags: dict[tuple[str, tuple[bool, bool]], str] | None = (
            None if getattr(self.loader, "yaml_path_resolvers", None) else {})

    def run(self) -> None:
        loader = self.loader
        try:
            loader.get_event()  # StreamStart
            if loader.check_event(StreamEndEvent):
                return
            loader.get_event()  # DocumentStart
            self._document()
            loader.get_event()  # DocumentEnd
            if not loader.check_event(StreamEndEvent):
                event = loader.peek_event()
                if isinstance(event, DocumentStartEvent):
                    self._fatal("AG008", "unsupported-yaml",
                                "the file holds more than one YAML document; a catalog is one",
                                _span(event.start_mark, event.end_mark),
                                "remove the `---` separator and what follows, or split the files")
                loader.get_event()
        finally:
            loader.dispose()

    def _fatal(self, code: str, slug: str, message: str, span: RawSpan, hint: str = "",
               pointer: Pointer = ()) -> None:
        self.findings.append(_finding(code, slug, message,
                                      Location(self.display, pointer, Span(*span)), hint))
        raise _Abort

    def _count(self, n: int, span: RawSpan) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            self._fatal("AG003", "input-too-large",
                        f"the catalog has more than {MAX_NODES:,} YAML nodes, "
                        "far more than any real catalog", span, "split the catalog")

    def _document(self) -> None:
        get_event = self.loader.get_event
        stack = self.stack
        while True:
            event = get_event()
            cls = type(event)
            if cls is ScalarEvent:
                self._scalar(event)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                self._start(event, cls is MappingStartEvent)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                self._end(frame, event)
            elif cls is AliasEvent:
                self._alias(event)
            if not stack and (cls is not MappingStartEvent and cls is not SequenceStartEvent):
                return

    def _child_pointer(self) -> Pointer:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return (*frame.pointer, len(frame.container))
        child = frame.child
        if child is None:
            child = frame.child = (*frame.pointer, _key_part(frame.key))
        return child

    def _start(self, event: Any, is_mapping: bool) -> None:
        if (self.stack and self._at_key()) or len(self.stack) >= MAX_DEPTH \
                or event.tag not in _SAFE_COLLECTION_TAGS or self.nodes >= MAX_NODES:
            self._refuse_start(event)
        self.nodes += 1
        container: dict[Any, Any] | list[Any] = {} if is_mapping else []
        self.stack.append(_Frame(container, self._child_pointer(), event.start_mark, event.anchor))

    def _refuse_start(self, event: Any) -> None:
        """The checks of a collection's start, in order; its span is built only here."""
        span = _span(event.start_mark, event.end_mark)
        if self._at_key():
            self._fatal("AG008", "unsupported-yaml",
                        "a mapping or list used as a key; keys must be plain names",
                        span, pointer=self.stack[-1].pointer)
        if len(self.stack) >= MAX_DEPTH:
            self._fatal("AG003", "input-too-large",
                        f"nesting deeper than {MAX_DEPTH} levels; no catalog needs that",
                        span, pointer=self.stack[-1].pointer)
        if event.tag not in _SAFE_COLLECTION_TAGS:
            self._fatal("AG008", "unsupported-yaml",
                        f"YAML tag {event.tag} is not allowed in a catalog", span,
                        "remove the tag; catalogs hold plain strings, numbers, lists and maps",
                        pointer=self._child_pointer())
        self._count(1, span)

    def _end(self, frame: _Frame, event: Any) -> None:
        span = _span(frame.span_start, event.end_mark)
        value: Any = frame.container
        if isinstance(value, dict) and frame.merges:
            merged: dict[Any, Any] = {}
            for source in frame.merges:
                for k, v in source.items():
                    merged.setdefault(k, v)
            merged.update(value)
            value = merged
        self.source_map.values.raw[frame.pointer] = span
        if frame.anchor:
            self.anchors[frame.anchor] = (value, frame.size)
        self._deliver(value, span, frame.size)

    def _alias(self, event: Any) -> None:
        span = _span(event.start_mark, event.end_mark)
        if event.anchor not in self.anchors:
            self._fatal("AG001", "yaml-syntax", f"alias *{event.anchor} is used before its anchor",
                        span, pointer=self._child_pointer())
        value, size = self.anchors[event.anchor]
        self.expanded += size
        if self.expanded > MAX_ALIAS_NODES:
            self._fatal("AG003", "input-too-large",
                        f"aliases expand to more than {MAX_ALIAS_NODES:,} YAML nodes "
                        "(an alias bomb)", span, "remove the repeated aliases")
        self._count(size, span)
        if self._at_key() and isinstance(value, (dict, list)):
            self._fatal("AG008", "unsupported-yaml", "an alias to a collection used as a key",
                        span, pointer=self.stack[-1].pointer)
        if self._takes_value():
            self.source_map.values.raw.setdefault(self._child_pointer(), span)
        self._deliver(value, span, size)

    def _scalar(self, event: Any) -> None:
        span = _span(event.start_mark, event.end_mark)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self._count(0, span)
        value, tag = self._construct(event, span)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        if self.stack:
            frame = self.stack[-1]
            if isinstance(frame.container, dict) and frame.awaiting_key:
                if tag == MERGE_TAG:
                    frame.merge_next = True
                    frame.awaiting_key = False
                    return
                self._key(frame, value, span)
                return
            self.source_map.values.raw[self._child_pointer()] = span
        else:
            self.source_map.values.raw[()] = span
        self._deliver(value, span, 1)

    def _key(self, frame: _Frame, key: Any, span: RawSpan) -> None:
        pointer = (*frame.pointer, _key_part(key))
        if key in frame.key_spans:
            first = frame.key_spans[key]
            self.findings.append(_finding(
                "AG002", "duplicate-key",
                f"duplicate key {_show(key)} (first defined at line {first[0]}, "
                f"col {first[1]}); YAML readers would silently keep only one",
                Location(self.display, pointer, Span(*span)),
                "remove or rename one of the two",
                related=(Location(self.display, pointer, Span(*first)),)))
        else:
            frame.key_spans[key] = span
        frame.key = key
        frame.child = pointer
        frame.awaiting_key = False
        self.source_map.keys.raw[pointer] = span

    def _deliver(self, value: Any, span: RawSpan, size: int) -> None:
        if not self.stack:
            self.data = value
            return
        frame = self.stack[-1]
        frame.size += size
        container = frame.container
        if isinstance(container, list):
            container.append(value)
            return
        if frame.awaiting_key:
            # An alias used as a key (scalar aliases only; collections were refused).
            self._key(frame, value, span)
            return
        if frame.merge_next:
            frame.merge_next = False
            self._merge(frame, value, span)
        else:
            container[frame.key] = value
        frame.awaiting_key = True

    def _merge(self, frame: _Frame, value: Any, span: RawSpan) -> None:
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(s, dict) for s in sources):
            self._fatal("AG001", "yaml-syntax",
                        "`<<` merges a mapping or a list of mappings, nothing else",
                        span, pointer=frame.pointer)
        if frame.merges is None:
            frame.merges = []
        frame.merges.extend(sources)

    def _construct(self, event: Any, span: RawSpan) -> tuple[Any, str]:
        loader = self.loader
        tag = event.tag
        if tag is None or tag == "!":
            tags = self.tags
            if tags is None:
                tag = loader.resolve(ScalarNode, event.value, event.implicit)
            else:
                cache_key = (event.value, event.implicit)
                tag = tags.get(cache_key)
                if tag is None:
                    tag = tags[cache_key] = loader.resolve(ScalarNode, event.value,
                                                           event.implicit)
        if tag == STR_TAG:
            return event.value, tag
        if tag not in _SAFE_SCALAR_TAGS:
            self._fatal("AG008", "unsupported-yaml",
                        f"YAML tag {tag} is not allowed in a catalog", span,
                        "remove the tag; catalogs hold plain strings, numbers, lists and maps",
                        pointer=self._child_pointer())
        if tag == MERGE_TAG:
            return "<<", tag
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = loader.yaml_constructors[tag](loader, node)
        except (ValueError, yaml.constructor.ConstructorError) as exc:
            kind = tag.rsplit(":", 1)[-1]
            self._fatal("AG001", "yaml-syntax", f"cannot read {event.value!r} as {kind}: "
                        f"{' '.join(str(exc).split())}", span, pointer=self._child_pointer())
        if event.implicit[0] and not event.style:  # plain, unquoted
            self._check_trap(event.value, tag, value, span)
        return value, tag

    def _check_trap(self, text: str, tag: str, value: Any, span: RawSpan) -> None:
        """YAML 1.1 reads some plain words and numbers differently from YAML 1.2 and from people."""
        message = ""
        slug = ""
        if tag == BOOL_TAG and text not in _YAML12_BOOLS:
            slug, message = "yaml11-boolean", f"`{text}` is read as the boolean {value}"
        elif tag == INT_TAG and (":" in text or _OCTAL.match(text) or "_" in text):
            slug, message = "yaml11-number", f"`{text}` is read as the number {value}"
        elif tag == FLOAT_TAG and (":" in text or "_" in text or _float_text_lost(text, value)):
            slug, message = "yaml11-number", f"`{text}` is read as the number {value!r}"
        if not message:
            return
        if self._at_key():
            pointer: Pointer = (*self.stack[-1].pointer, _key_part(value))
        else:
            pointer = self._child_pointer()
        code = "AG005" if slug == "yaml11-boolean" else "AG006"
        self.findings.append(_finding(
            code, slug, message, Location(self.display, pointer, Span(*span)),
            f"quote it (\"{text}\") if you meant the text", severity=Severity.WARNING))

    def _takes_value(self) -> bool:
        """Whether the next node is a value with a pointer of its own (not a key or a merge)."""
        if not self.stack:
            return True
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return True
        return not frame.awaiting_key and not frame.merge_next

    def _at_key(self) -> bool:
        if not self.stack:
            return False
        frame = self.stack[-1]
        return isinstance(frame.container, dict) and frame.awaiting_key


_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")


def _float_text_lost(text: str, value: Any) -> bool:
    """True when the written digits do not survive: `1.10` -> 1.1, `1.0` stays."""
    if not isinstance(value, float) or math.isnan(value) or math.isinf(value):
        return False
    mantissa = text.lower().lstrip("+-").split("e")[0]
    if "." not in mantissa:
        return False
    decimals = mantissa.split(".", 1)[1]
    return len(decimals) > 1 and decimals.endswith("0")


def _key_part(key: Any) -> str | int:
    return key if isinstance(key, str) else str(key)


def _show(key: Any) -> str:
    text = key if isinstance(key, str) else repr(key)
    return repr(text[:60] + ("…" if len(text) > 60 else ""))


__all__ = [
    "FATAL_LOAD_CODES", "MAX_ALIAS_NODES", "MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NODES",
    "LoadedYaml", "RawSpan", "SourceMap", "Spans", "load_yaml_file", "load_yaml_text",
]
