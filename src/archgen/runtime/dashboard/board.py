"""What the dashboard knows about the running system, and the answers of its JSON API.

The web layer (app.py) only turns these answers into HTTP; everything kept here is
bounded (rings.py)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archgen.runtime.dashboard import events, otlp
from archgen.runtime.dashboard.lag import LagProbe
from archgen.runtime.dashboard.procstat import GroupSampler
from archgen.runtime.dashboard.rings import (
    LOG_LINES_PER_PART,
    MAX_SPANS_PER_TRACE,
    MAX_TRACES,
    MESSAGES_PER_TOPIC,
    LogRing,
    TopicRing,
    TraceStore,
)
from archgen.runtime.supervisor import RestartRefused

if TYPE_CHECKING:
    from archgen.model.deployment import Deployment
    from archgen.model.resolved import ResolvedCatalog
    from archgen.runtime.dashboard.views import ArchitectureViews
    from archgen.runtime.plan import Plan
    from archgen.runtime.supervisor import Supervisor

TOKEN_TTL_S = 12 * 3600  # the explorer's development token: a working day


@dataclass(frozen=True)
class Bounds:
    """How much the dashboard keeps (see rings.py); `archgen up --dashboard-traces` and
    `--dashboard-log-lines` change the first two."""

    log_lines_per_part: int = LOG_LINES_PER_PART
    max_traces: int = MAX_TRACES
    max_spans_per_trace: int = MAX_SPANS_PER_TRACE
    messages_per_topic: int = MESSAGES_PER_TOPIC


@dataclass
class Board:
    catalog: ResolvedCatalog
    deployment: Deployment
    plan: Plan
    views: ArchitectureViews
    token: str = ""
    bounds: Bounds = field(default_factory=Bounds)
    supervisor: Supervisor | None = None
    broker: str | None = None  # host:port, once the system is ready

    def __post_init__(self) -> None:
        self.logs = LogRing(self.bounds.log_lines_per_part)
        self.traces = TraceStore(self.bounds.max_traces, self.bounds.max_spans_per_trace)
        self.topics = TopicRing(self.bounds.messages_per_topic)
        self.watch: events.TopicWatch | None = None
        self.lag: LagProbe | None = None
        self._sampler = GroupSampler()
        self._diagram: bytes | None = None
        self._diagram_error = ""
        self._diagram_lock = asyncio.Lock()

    # -- parts -----------------------------------------------------------------------
    def parts(self) -> list[dict[str, Any]]:
        runs = {r.part.name: r for r in self.supervisor.started} if self.supervisor else {}
        live = {name: r.proc.pid for name, r in runs.items() if r.proc.returncode is None}
        usage = self._sampler.sample(set(live.values()))
        out = []
        for part in (p for stage in self.plan.stages for p in stage):
            pid = live.get(part.name)
            used = usage.get(pid) if pid is not None else None
            errors = self.logs.lines(part=part.name, level="error", limit=1)
            out.append({
                "name": part.name, "kind": part.kind, "url": part.url, "state": part.state,
                "ready": part.state == "ready", "port": part.port or None, "pid": pid,
                "restarts": part.restarts, "reloads": part.reloads,
                "restartable": part.restartable,
                "cpu_pct": used.cpu_pct if used else None,
                "rss_bytes": used.rss_bytes if used else None,
                "processes": used.processes if used else 0,
                "last_error": errors[-1].text if errors else "",
            })
        return out

    def restart(self, name: str) -> None:
        """Restart one part (RestartRefused: why not); its state says how it goes."""
        if self.supervisor is None:
            raise RestartRefused("the system is still starting")
        self.supervisor.ask_restart(name, "restart asked for on the dashboard")

    # -- traces ----------------------------------------------------------------------
    def receive_spans(self, body: bytes, content_type: str) -> int:
        spans = otlp.decode(body, content_type)
        self.traces.add(spans)
        return len(spans)

    # -- topics ----------------------------------------------------------------------
    @property
    def dead_letters(self) -> dict[str, str]:
        """Dead-letter topic -> the topic its messages came from."""
        return {t.dead_letter_topic: t.name for t in self.deployment.topics.values()
                if t.dead_letter_topic}

    def topic_names(self) -> list[str]:
        names = []
        for topic in self.deployment.topics.values():
            names.append(topic.name)
            if topic.dead_letter_topic:
                names.append(topic.dead_letter_topic)
        return names

    def start_watch(self, broker: str) -> None:
        self.broker = broker
        if self.topic_names():
            self.watch = events.TopicWatch(broker, self.topic_names(), self.topics)
            self.watch.start()
        self.lag = LagProbe(broker, {s.consumer_group: s.consumes_topics
                                     for s in self.deployment.services.values()
                                     if s.consumer_group is not None})

    async def consumer_lag(self) -> dict[str, Any]:
        """Per consumer group and topic: committed offsets, partition ends, the lag."""
        if self.lag is None:
            return {"groups": [], "read_at": None, "error": "the broker is not ready yet"}
        return await self.lag.read()

    def topic_list(self) -> dict[str, Any]:
        dlq = self.dead_letters
        topics = []
        for topic in self.deployment.topics.values():
            topics.append({"name": topic.name, "events": list(topic.events),
                           "partitions": topic.partitions, "dead_letter": topic.dead_letter_topic,
                           "seen": self.topics.seen.get(topic.name, 0),
                           "dead_lettered": self.topics.seen.get(topic.dead_letter_topic or "", 0),
                           "messages": [m.as_json() for m in self.topics.recent(topic.name)]})
        dead = [{**m.as_json(), "reason": m.headers.get(events.ERROR_HEADER, ""),
                 "original": dlq[name]}
                for name in dlq for m in self.topics.recent(name)]
        return {"topics": topics, "dead_letters": dead, "broker": self.broker,
                "error": self.watch.error if self.watch else ""}

    async def redrive(self, dlq: str, partition: int, offset: int) -> dict[str, Any]:
        if self.broker is None:
            raise events.RedriveError("the broker is not ready yet")
        return await events.redrive(self.broker, self.dead_letters, dlq, partition, offset)

    # -- architecture and API ----------------------------------------------------------
    def architecture(self) -> dict[str, Any]:
        return self.views.model()

    async def diagram_svg(self) -> tuple[bytes | None, str]:
        """The system view as graphviz draws it (drawn once, on first ask), or why not."""
        async with self._diagram_lock:
            if self._diagram is None and not self._diagram_error:
                try:
                    self._diagram = await asyncio.to_thread(self.views.system_svg)
                except Exception as exc:  # graphviz missing or failing: the page says so
                    self._diagram_error = str(exc).splitlines()[0][:300] if str(exc) else (
                        type(exc).__name__)
        return self._diagram, self._diagram_error

    def openapi(self) -> dict[str, Any] | None:
        """The gateway's public API, its server the dashboard's own proxy to the gateway."""
        document = self.views.gateway_openapi()
        if document is None or self.plan.gateway is None:
            return None
        data: dict[str, Any] = json.loads(json.dumps(document, default=str))
        data["servers"] = [{"url": "/gateway", "description": f"the local gateway at "
                                                              f"{self.plan.gateway.url}"}]
        return data

    def stats(self) -> dict[str, Any]:
        return {"bounds": self.bounds.__dict__,
                "log_lines": self.logs.size(), "traces": len(self.traces.traces),
                "spans": self.traces.span_count(), "spans_received": self.traces.received,
                "messages": self.topics.size()}

    async def close(self) -> None:
        if self.watch is not None:
            await self.watch.stop()
        if self.lag is not None:
            await self.lag.close()
