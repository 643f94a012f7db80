"""Generators and their registry (GENERATORS, keyed by the name `--only` takes).

Add a generator by importing it here and adding one line to GENERATORS; mypy
checks each entry against the Generator protocol.
"""

from __future__ import annotations

from archgen.generators.aggregator import AggregatorGenerator
from archgen.generators.asyncapi import AsyncApiGenerator
from archgen.generators.compose import ComposeGenerator
from archgen.generators.diagrams import DiagramsGenerator
from archgen.generators.docs import DocsGenerator
from archgen.generators.gateway import GatewayGenerator
from archgen.generators.helm import HelmGenerator
from archgen.generators.mesh import MeshGenerator
from archgen.generators.observability import ObservabilityGenerator
from archgen.generators.openapi import OpenApiGenerator
from archgen.generators.services import ServicesGenerator
from archgen.output import Generator

GENERATORS: dict[str, Generator] = {
    "openapi": OpenApiGenerator(),
    "asyncapi": AsyncApiGenerator(),
    "diagrams": DiagramsGenerator(),
    "docs": DocsGenerator(),
    "services": ServicesGenerator(),
    "compose": ComposeGenerator(),
    "gateway": GatewayGenerator(),
    "aggregator": AggregatorGenerator(),
    "helm": HelmGenerator(),
    "mesh": MeshGenerator(),
    "observability": ObservabilityGenerator(),
}

__all__ = ["GENERATORS", "Generator"]
