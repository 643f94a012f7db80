"""Reading the services over HTTP: the served OpenAPI document and the per-caller counters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx

COUNTER = "archgen_requests_by_caller_total"
_SAMPLE = re.compile(r'^' + COUNTER + r'\{([^}]*)\}\s+([0-9.eE+-]+)')
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
TIMEOUT_S = 10.0


def read_openapi(client: httpx.Client, url: str) -> dict[str, Any] | str:
    """The served document, or why it cannot be had."""
    try:
        response = client.get(url.rstrip("/") + "/openapi.json")
    except httpx.HTTPError as exc:
        return f"GET /openapi.json failed ({exc.__class__.__name__}: {exc})"
    if response.status_code != 200:
        return f"GET /openapi.json answered {response.status_code}"
    try:
        doc = response.json()
    except ValueError:
        return "GET /openapi.json answered something that is not JSON"
    return doc if isinstance(doc, dict) else "GET /openapi.json is not a JSON object"


def read_callers(client: httpx.Client, url: str, metrics_path: str) -> dict[str, float] | str:
    """Caller -> requests counted since the service started, or why they cannot be had."""
    try:
        response = client.get(url.rstrip("/") + metrics_path)
    except httpx.HTTPError as exc:
        return f"GET {metrics_path} failed ({exc.__class__.__name__}: {exc})"
    if response.status_code != 200:
        return f"GET {metrics_path} answered {response.status_code}"
    counts = parse_callers(response.text)
    if counts is None:
        return (f"GET {metrics_path} has no {COUNTER} counter: the service was not generated "
                "by this archgen (regenerate it) or is not the catalog's")
    return counts


def parse_callers(text: str) -> dict[str, float] | None:
    """The counter's samples from Prometheus text; None when the counter is not there."""
    if f"# TYPE {COUNTER.removesuffix('_total')} counter" not in text and COUNTER not in text:
        return None
    out: dict[str, float] = {}
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match is None:
            continue
        labels = dict(_LABEL.findall(match.group(1)))
        caller = labels.get("caller", "")
        out[caller] = out.get(caller, 0.0) + float(match.group(2))
    return out


def window(before: Mapping[str, Mapping[str, float]], after: dict[str, dict[str, float]]
           ) -> dict[str, dict[str, float]]:
    """The requests counted between two readings (a restarted service: all of `after`)."""
    out: dict[str, dict[str, float]] = {}
    for callee, callers in after.items():
        old = before.get(callee, {})
        restarted = any(n < old.get(c, 0.0) for c, n in callers.items())
        out[callee] = {c: n - (0.0 if restarted else old.get(c, 0.0))
                       for c, n in callers.items()}
    return out
