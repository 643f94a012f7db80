"""`deploy/mesh/`: the service mesh's resources for `mesh.technology` (istio or linkerd).

`none` (or no mesh section) emits nothing: the catalog's `mesh.justification`
says why, and the docs carry it.
"""

from __future__ import annotations

from archgen.generators.common import HEADER, Ordered, dump_yaml
from archgen.generators.inputs import document_unit
from archgen.generators.mesh.istio import istio_resources
from archgen.generators.mesh.linkerd import linkerd_resources
from archgen.output import GenerationContext, OutputFile, Unit

NAME = "mesh"


def dump_all(documents: list[Ordered]) -> str:
    """Several YAML documents in one file, under one header."""
    return HEADER + "".join("---\n" + dump_yaml(doc)[len(HEADER):] for doc in documents)


class MeshGenerator:
    name = NAME
    description = "deploy/mesh/: Istio or Linkerd resources from depends_on"

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        return [f for unit in self.units(ctx) for f in unit.render()]

    def units(self, ctx: GenerationContext) -> list[Unit]:
        """One unit, fingerprinted on the resources as data (inputs.document_unit)."""
        mesh = ctx.catalog.mesh
        technology = mesh.technology if mesh else None
        if technology == "istio":
            docs = istio_resources(ctx.catalog, ctx.deployment)
        elif technology == "linkerd":
            docs = linkerd_resources(ctx.catalog, ctx.deployment)
        else:
            return []
        return [document_unit(f"{NAME}:", NAME,
                              [(f"deploy/mesh/{technology}.yaml", dump_all, docs)])]
