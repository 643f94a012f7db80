"""The Rule record and the context every rule reads.

A rule is data plus one pure function: it reads the resolved model (never the
YAML) and yields findings located through the source map. Severity overrides,
selection and suppression happen after, in `archgen.rules.run_rules`, so a
rule always reports at its default severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from archgen.findings import Finding, Location, Pointer, Severity
from archgen.model.aggregation_calls import parse_call

if TYPE_CHECKING:
    from archgen.graph import SyncGraph
    from archgen.loading import SourceMap
    from archgen.model.resolved import ResolvedCatalog

# Template sections (docs/template.md), in the order of the code ranges.
LOADING = "Loading and schema"
GATEWAY = "API Gateway"
MESH = "Service Mesh"
SERVICES = "Microservices"
DATA = "Data Stores (Database-per-Service)"
EVENTS = "Event Bus"
INFRA = "Supporting Infrastructure"
COMMUNICATION = "Communication Patterns"
NAMING = "Naming and hygiene"
CONFIG = "Configuration and suppression"

SECTIONS = (LOADING, GATEWAY, MESH, SERVICES, DATA, EVENTS, INFRA, COMMUNICATION, NAMING, CONFIG)

DOCS_URL = "https://archgen.dev/rules/"


@dataclass
class RuleContext:
    """What a rule sees: the resolved catalog and a way to turn pointers into locations."""

    catalog: ResolvedCatalog
    source_map: SourceMap
    # Services cut out of a partial catalog (schema errors): references to them are not
    # "unknown", they are unchecked. See archgen.salvage.
    skipped_services: frozenset[str] = frozenset()

    @property
    def file(self) -> str:
        return self.source_map.file

    def locate(self, pointer: Pointer, *, key: bool = False) -> Location:
        return self.source_map.locate(pointer, key=key)

    def aggregation_call(self, route: str, index: int) -> Pointer:
        """Where an aggregation's call is: under `calls:`, or an item of the short form's list."""
        pointer: Pointer = ("gateway", "aggregations", route, "calls", index)
        return pointer if pointer in self.source_map.values else (*pointer[:3], index)

    def dependency(self, source: str, target: str) -> Pointer:
        """Where `source` names `target` in depends_on: a mapping key, or a list item."""
        pointer: Pointer = ("services", source, "depends_on", target)
        if pointer in self.source_map.keys:
            return pointer
        names = list(self.catalog.services[source].spec.depends_on)
        index = names.index(target) if target in names else 0
        return ("services", source, "depends_on", index)

    @cached_property
    def sync_graph(self) -> SyncGraph:
        from archgen.graph import sync_graph

        return sync_graph(self.catalog)


CheckFn = Callable[["Rule", RuleContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A stable code and slug, its documentation, and (for checkable rules) its check."""

    code: str
    slug: str
    title: str
    severity: Severity
    section: str
    explanation: str
    fix: str
    bad: str = ""
    good: str = ""
    checklist: str | None = None
    check_fn: CheckFn | None = field(default=None, repr=False, compare=False)
    # Parts (`services` for all of them, or a top-level section) the rule must see whole:
    # it concludes from their absence, so it does not run when one was skipped.
    needs: tuple[str, ...] = ()

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}{self.code}"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        if self.check_fn is None:
            return ()
        return self.check_fn(self, ctx)

    def vocab_hint(self, value: str, known: Iterable[str]) -> str:
        """The fix (it lists the known values), after a did-you-mean when one is close."""
        mean = did_you_mean(value, known)
        return f"{mean} {self.fix}" if mean else self.fix

    def finding(self, ctx: RuleContext, message: str, pointer: Pointer, *, hint: str = "",
                related: Iterable[Pointer] = (), key: bool = False) -> Finding:
        """A finding of this rule at `pointer`; `related` pointers become related locations."""
        return Finding(self.code, self.slug, self.severity, message,
                       ctx.locate(pointer, key=key), hint or self.fix,
                       tuple(ctx.locate(p, key=True) for p in related))


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """`did you mean `x`?` for the known value closest to `value` (case ignored), or ""."""
    import difflib

    by_fold = {k.casefold(): k for k in sorted(set(known))}
    close = difflib.get_close_matches(value.casefold(), list(by_fold), n=1, cutoff=0.6)
    return f"did you mean `{by_fold[close[0]]}`?" if close else ""


def call_problem(ctx: RuleContext, call: str, *, suggest_route: bool,
                 by_shape: bool = False) -> str | None:
    """What is wrong with a call written `<service> METHOD /path`, or None when that service
    declares the endpoint (or was cut out for schema errors: AG009 says so, not this).
    `by_shape`: parameter names do not matter (an aggregation fills the path it writes)."""
    name, target = call.split(" ", 1)
    if name in ctx.skipped_services:
        return None
    svc = ctx.catalog.services.get(name)
    if svc is None:
        mean = did_you_mean(name, ctx.catalog.services)
        return f"service {name!r} does not exist" + (f" ({mean})" if mean else "")
    written = parse_call(call)
    if any(written.serves(ep.method, ep.path) if by_shape else ep.route == target
           for ep in svc.endpoints):
        return None
    mean = did_you_mean(target, [ep.route for ep in svc.endpoints]) if suggest_route else ""
    return f"{name} has no endpoint {target}" + (f" ({mean})" if mean else "")


def rule(code: str, slug: str, title: str, severity: Severity, section: str, *,
         explanation: str, fix: str, bad: str = "", good: str = "",
         checklist: str | None = None, needs: tuple[str, ...] = ()
         ) -> Callable[[CheckFn], Rule]:
    """Decorator: turn a check function into a documented Rule."""
    def wrap(fn: CheckFn) -> Rule:
        return Rule(code, slug, title, severity, section, explanation, fix,
                    _dedent(bad), _dedent(good), checklist, fn, needs)
    return wrap


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip("\n") + "\n" if text.strip() else ""


def service_pointer(name: str, *rest: str | int) -> Pointer:
    return ("services", name, *rest)


# The template's Validation Checklist, word for word: each item has a rule or a family.
CL_GATEWAY = "API Gateway documented with routing and authentication strategy"
CL_MESH = "Service Mesh configured (or justification for not using one)"
CL_CONTEXTS = "All microservices cataloged with bounded contexts"
CL_DATABASE = "Database-per-service pattern followed"
CL_EVENTS = "Event bus and topics documented"
CL_PATTERNS = "Synchronous and asynchronous communication patterns defined"
CL_DISCOVERY = "Service discovery and configuration management specified"
CL_OBSERVABILITY = "Observability stack documented (logging, metrics, tracing)"
CL_RESILIENCE = "Resilience patterns implemented (circuit breakers, retries)"
CL_SLA = "Each service has defined SLA and scaling strategy"
CHECKLIST = (CL_GATEWAY, CL_MESH, CL_CONTEXTS, CL_DATABASE, CL_EVENTS, CL_PATTERNS,
             CL_DISCOVERY, CL_OBSERVABILITY, CL_RESILIENCE, CL_SLA)
