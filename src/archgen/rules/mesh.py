"""AG2xx: the Service Mesh section: configured, or a justification for not using one."""

from __future__ import annotations

from collections.abc import Iterator

from archgen.findings import Finding, Severity
from archgen.model.base import VOCABULARIES
from archgen.rules.base import CL_MESH, MESH, Rule, RuleContext, rule

_HEAD = "archgen: 1\nsystem: {name: shop}\nservices: {a: {}}\n"
_KNOWN = VOCABULARIES["mesh.technology"]


@rule("AG200", "mesh-missing", "The catalog documents no Service Mesh", Severity.ERROR, MESH,
      checklist=CL_MESH,
      needs=("mesh",),
      explanation="The template asks for a service mesh (mTLS, traffic management, resilience) "
                  "or an explicit reason not to use one. A catalog with no `mesh` section "
                  "says neither.",
      fix="Add `mesh: {technology: istio}` (or linkerd, consul), or `mesh: {technology: none, "
          "justification: ...}`.",
      bad=_HEAD,
      good=_HEAD + "mesh: {technology: linkerd, mtls: strict}\n")
def mesh_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.catalog.mesh is None:
        yield self.finding(ctx, "no `mesh` section: the service mesh (or the reason for not "
                           "using one) is not documented", ())


@rule("AG201", "mesh-unjustified", "No mesh technology and no justification",
      Severity.ERROR, MESH, checklist=CL_MESH,
      explanation="`mesh.technology: none` (or no technology at all) is fine when the catalog "
                  "says why: how mTLS, retries and tracing are covered without a mesh.",
      fix="Set `mesh.technology`, or add `mesh.justification`.",
      bad=_HEAD + "mesh: {technology: none}\n",
      good=_HEAD + "mesh: {technology: none, justification: Two services; client libraries "
                   "cover retries}\n")
def mesh_unjustified(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    mesh = ctx.catalog.mesh
    if mesh is None or (mesh.technology not in (None, "none")):
        return
    if not (mesh.justification or "").strip():
        what = "is none" if mesh.technology == "none" else "is not set"
        pointer = ("mesh", "technology") if mesh.technology else ("mesh",)
        yield self.finding(ctx, f"mesh.technology {what} and no `justification` is given",
                           pointer, key=len(pointer) == 1)


@rule("AG202", "mesh-technology-unknown", "Unknown mesh technology", Severity.WARNING, MESH,
      explanation=f"archgen generates mesh policies only for {', '.join(_KNOWN)}; other values "
                  "load, and generation skips the mesh configuration.",
      fix=f"Use one of: {', '.join(_KNOWN)}.",
      bad=_HEAD + "mesh: {technology: kuma}\n",
      good=_HEAD + "mesh: {technology: istio}\n")
def mesh_technology_unknown(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    mesh = ctx.catalog.mesh
    if mesh is not None and mesh.technology is not None and mesh.technology not in _KNOWN:
        yield self.finding(ctx, f"unknown mesh technology {mesh.technology!r}: generation will "
                           "skip the mesh configuration", ("mesh", "technology"),
                           hint=self.vocab_hint(mesh.technology, _KNOWN))


RULES = (mesh_missing, mesh_unjustified, mesh_technology_unknown)
