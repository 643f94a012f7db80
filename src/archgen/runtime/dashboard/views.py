"""What the dashboard shows of the architecture, made by the generators and handed in by
the pipeline: the runtime reads these, it never imports a generator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ArchitectureViews:
    """The docs explorer's model, the system view as SVG (graphviz: slow, drawn on first
    ask) and the gateway's public OpenAPI document (None without a gateway)."""

    model: Callable[[], dict[str, Any]]
    system_svg: Callable[[], bytes]
    gateway_openapi: Callable[[], dict[str, Any] | None]
