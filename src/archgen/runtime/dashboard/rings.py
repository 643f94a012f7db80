"""The dashboard's memory: ring buffers with fixed sizes, so that hours of logs, spans and
messages hold no more than minutes of them.

Bounds (each a constructor argument, these the defaults):
- logs: LOG_LINES_PER_PART lines per part, each cut to MAX_LINE_CHARS;
- traces: MAX_TRACES traces (the oldest dropped first), MAX_SPANS_PER_TRACE spans each,
  MAX_ATTRIBUTES attributes per span, each value cut to MAX_VALUE_CHARS;
- topics: MESSAGES_PER_TOPIC messages per topic, each value cut to MAX_PAYLOAD_CHARS.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

LOG_LINES_PER_PART = 1000
MAX_LINE_CHARS = 2000
MAX_TRACES = 200
MAX_SPANS_PER_TRACE = 500
MAX_ATTRIBUTES = 32
MAX_VALUE_CHARS = 300
MESSAGES_PER_TOPIC = 50
MAX_PAYLOAD_CHARS = 4000
MAX_RESULTS = 500  # lines or traces one answer carries at most

_LEVEL = re.compile(r"\b(CRITICAL|FATAL|ERROR|WARNING|WARN|INFO|DEBUG)\b", re.IGNORECASE)
_LEVELS = {"fatal": "critical", "warn": "warning"}
LEVEL_ORDER = ("debug", "info", "warning", "error", "critical")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def level_of(line: str) -> str:
    """The line's level: a JSON log's `level`, else the first level word in it; "info"."""
    if line.startswith("{"):
        try:
            data = json.loads(line)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("level"), str):
            name = str(data["level"]).lower()
            return _LEVELS.get(name, name)
    match = _LEVEL.search(line[:200])
    if match is None:
        return "info"
    name = match.group(1).lower()
    return _LEVELS.get(name, name)


@dataclass(frozen=True, slots=True)
class LogLine:
    seq: int
    part: str
    level: str
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "part": self.part, "level": self.level, "text": self.text}


class LogRing:
    """Each part's last `per_part` lines, numbered across parts so a reader asks for the
    lines after the last one it saw."""

    def __init__(self, per_part: int = LOG_LINES_PER_PART,
                 max_chars: int = MAX_LINE_CHARS) -> None:
        self.per_part = per_part
        self.max_chars = max_chars
        self.parts: dict[str, deque[LogLine]] = {}
        self._seq = itertools.count(1)

    def add(self, part: str, line: str) -> None:
        ring = self.parts.get(part)
        if ring is None:
            ring = self.parts[part] = deque(maxlen=self.per_part)
        text = cut(line, self.max_chars)
        ring.append(LogLine(next(self._seq), part, level_of(text), text))

    def lines(self, *, part: str | None = None, since: int = 0, level: str | None = None,
              text: str | None = None, limit: int = MAX_RESULTS) -> list[LogLine]:
        """The last `limit` lines after `since`, oldest first; of one part or merged."""
        rings = [self.parts.get(part, deque())] if part else list(self.parts.values())
        floor = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else 0
        needle = text.lower() if text else None
        found = [ln for ring in rings for ln in ring
                 if ln.seq > since
                 and (ln.level not in LEVEL_ORDER or LEVEL_ORDER.index(ln.level) >= floor)
                 and (needle is None or needle in ln.text.lower())]
        found.sort(key=lambda ln: ln.seq)
        return found[-limit:]

    def size(self) -> int:
        return sum(len(ring) for ring in self.parts.values())


@dataclass(slots=True)
class Trace:
    trace_id: str
    spans: list[dict[str, Any]] = field(default_factory=list)
    dropped: int = 0  # spans past MAX_SPANS_PER_TRACE

    def summary(self) -> dict[str, Any]:
        start = min(s["start_ns"] for s in self.spans)
        end = max(s["end_ns"] for s in self.spans)
        ids = {s["span_id"] for s in self.spans}
        roots = [s for s in self.spans if s["parent_span_id"] not in ids]
        root = min(roots or self.spans, key=lambda s: s["start_ns"])
        return {"trace_id": self.trace_id, "root": f"{root['service']}: {root['name']}",
                "services": sorted({s["service"] for s in self.spans}),
                "spans": len(self.spans), "dropped": self.dropped,
                "start_ns": start, "duration_ms": (end - start) / 1e6,
                "errors": sum(1 for s in self.spans if s["status"] == "error")}


class TraceStore:
    """The last `max_traces` traces that received a span; older ones are dropped whole."""

    def __init__(self, max_traces: int = MAX_TRACES,
                 max_spans: int = MAX_SPANS_PER_TRACE) -> None:
        self.max_traces = max_traces
        self.max_spans = max_spans
        self.traces: OrderedDict[str, Trace] = OrderedDict()
        self.received = 0  # spans received in all

    def add(self, spans: Iterable[dict[str, Any]]) -> None:
        for span in spans:
            self.received += 1
            trace = self.traces.get(span["trace_id"])
            if trace is None:
                trace = self.traces[span["trace_id"]] = Trace(span["trace_id"])
                while len(self.traces) > self.max_traces:
                    self.traces.popitem(last=False)
            else:
                self.traces.move_to_end(span["trace_id"])
            if len(trace.spans) < self.max_spans:
                trace.spans.append(span)
            else:
                trace.dropped += 1

    def recent(self, limit: int = MAX_RESULTS, service: str | None = None
               ) -> list[dict[str, Any]]:
        """The newest traces first, as summaries."""
        found = []
        for trace in reversed(self.traces.values()):
            if service and not any(s["service"] == service for s in trace.spans):
                continue
            found.append(trace.summary())
            if len(found) >= limit:
                break
        return found

    def get(self, trace_id: str) -> dict[str, Any] | None:
        trace = self.traces.get(trace_id)
        if trace is None:
            return None
        spans = sorted(trace.spans, key=lambda s: s["start_ns"])
        return {**trace.summary(), "span_list": spans}

    def span_count(self) -> int:
        return sum(len(t.spans) for t in self.traces.values())


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: str | None
    value: str
    headers: Mapping[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"topic": self.topic, "partition": self.partition, "offset": self.offset,
                "timestamp_ms": self.timestamp_ms, "key": self.key, "value": self.value,
                "headers": dict(self.headers)}


def message(topic: str, partition: int, offset: int, timestamp_ms: int, key: bytes | None,
            value: bytes | None, headers: Iterable[tuple[str, bytes | None]]) -> Message:
    """A message as the page shows it: text, cut to MAX_PAYLOAD_CHARS."""
    def text(raw: bytes | None, limit: int) -> str:
        return cut((raw or b"").decode("utf-8", errors="replace"), limit)

    shown = {k: text(v, MAX_VALUE_CHARS) for k, v in itertools.islice(headers, MAX_ATTRIBUTES)}
    return Message(topic, partition, offset, timestamp_ms,
                   None if key is None else text(key, MAX_VALUE_CHARS),
                   text(value, MAX_PAYLOAD_CHARS), shown)


class TopicRing:
    """Each topic's last `per_topic` messages, and how many were seen in all."""

    def __init__(self, per_topic: int = MESSAGES_PER_TOPIC) -> None:
        self.per_topic = per_topic
        self.topics: dict[str, deque[Message]] = {}
        self.seen: dict[str, int] = {}

    def add(self, msg: Message) -> None:
        ring = self.topics.get(msg.topic)
        if ring is None:
            ring = self.topics[msg.topic] = deque(maxlen=self.per_topic)
        ring.append(msg)
        self.seen[msg.topic] = self.seen.get(msg.topic, 0) + 1

    def recent(self, topic: str) -> list[Message]:
        return list(reversed(self.topics.get(topic, ())))

    def size(self) -> int:
        return sum(len(ring) for ring in self.topics.values())
