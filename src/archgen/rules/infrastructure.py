"""AG6xx: Supporting Infrastructure: discovery, configuration, observability, secrets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from archgen.findings import Finding, Pointer, Severity
from archgen.rules.base import (
    CL_DISCOVERY,
    CL_OBSERVABILITY,
    INFRA,
    Rule,
    RuleContext,
    rule,
)

_HEAD = "archgen: 1\nsystem: {name: shop}\nservices: {a: {}}\n"
_FULL = ("infrastructure:\n  service_discovery: kubernetes-dns\n"
         "  configuration: kubernetes-configmaps\n  secrets: vault\n  logging: loki\n"
         "  monitoring: prometheus\n  tracing: tempo\n")


def _component(ctx: RuleContext, key: str) -> Any:
    infra = ctx.catalog.infrastructure
    part = getattr(infra, key) if infra is not None else None
    return part if part is not None and (part.technology or "").strip() else None


def _missing(self: Rule, ctx: RuleContext, key: str, what: str) -> Iterator[Finding]:
    if _component(ctx, key) is None:
        where: Pointer = ("infrastructure",) if ctx.catalog.infrastructure else ()
        yield self.finding(ctx, f"`infrastructure.{key}` has no technology: {what} is not "
                           "specified", where, key=bool(where))


@rule("AG600", "service-discovery-missing", "Service discovery is not specified",
      Severity.ERROR, INFRA, checklist=CL_DISCOVERY,
      needs=("infrastructure",),
      explanation="Services find each other through a discovery mechanism (Kubernetes DNS, "
                  "Consul, Eureka); the generated clients and manifests depend on it.",
      fix="Add `infrastructure.service_discovery: kubernetes-dns` (or consul, eureka).",
      bad=_HEAD + "infrastructure: {configuration: kubernetes-configmaps}\n",
      good=_HEAD + _FULL)
def service_discovery_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    yield from _missing(self, ctx, "service_discovery", "service discovery")


@rule("AG601", "configuration-missing", "Configuration management is not specified",
      Severity.ERROR, INFRA, checklist=CL_DISCOVERY,
      needs=("infrastructure",),
      explanation="Centralised configuration (ConfigMaps, Consul KV, Spring Cloud Config) is how "
                  "every service gets its settings per environment.",
      fix="Add `infrastructure.configuration: kubernetes-configmaps` (or another technology).",
      bad=_HEAD + "infrastructure: {service_discovery: kubernetes-dns}\n",
      good=_HEAD + _FULL)
def configuration_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    yield from _missing(self, ctx, "configuration", "configuration management")


_OBSERVABILITY = (("logging", "logging"), ("monitoring", "metrics"), ("tracing", "tracing"))


@rule("AG602", "observability-missing", "The observability stack is incomplete",
      Severity.ERROR, INFRA, checklist=CL_OBSERVABILITY,
      needs=("infrastructure",),
      explanation="All services emit logs, metrics and traces; the catalog names where each "
                  "goes (`logging`, `monitoring`, `tracing`). One finding per missing pillar.",
      fix="Add `infrastructure.logging`, `.monitoring` and `.tracing` technologies.",
      bad=_HEAD + "infrastructure: {logging: loki}\n",
      good=_HEAD + _FULL)
def observability_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    for key, pillar in _OBSERVABILITY:
        yield from _missing(self, ctx, key, pillar)


@rule("AG603", "secrets-management-missing", "Secrets management is not specified",
      Severity.WARNING, INFRA,
      needs=("infrastructure",),
      explanation="The template's supporting infrastructure includes secrets management "
                  "(Vault, Kubernetes Secrets, a cloud secrets manager): where credentials "
                  "live instead of the catalog or the images.",
      fix="Add `infrastructure.secrets: vault` (or kubernetes-secrets, aws-secrets-manager).",
      bad=_HEAD + "infrastructure: {logging: loki}\n",
      good=_HEAD + _FULL)
def secrets_missing(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    yield from _missing(self, ctx, "secrets", "secrets management")


@rule("AG604", "inline-secret", "A value looks like a secret written inline", Severity.ERROR,
      INFRA,
      explanation="Catalogs are committed, reviewed and rendered into docs: a password, token "
                  "or private key written in one is leaked. Reference the secrets manager "
                  "instead (`${VAULT_PATH}`, `vault:path#key`). The value is never printed.",
      fix="Remove the value, rotate the secret, and reference it from the secrets manager.",
      bad=_HEAD.replace("services: {a: {}}", "services:\n  a:\n    x-db:\n"
                        "      password: hunter2-correct-horse"),
      good=_HEAD.replace("services: {a: {}}", "services:\n  a:\n    x-db:\n"
                         "      password: vault:shop/db#password"))
def inline_secret(self: Rule, ctx: RuleContext) -> Iterator[Finding]:
    # The loader found and redacted them (archgen.secrets): no rule sees a secret's value.
    for pointer, kind in ctx.catalog.redacted:
        yield self.finding(ctx, f"{'.'.join(map(str, pointer))} looks like {kind} written "
                           "inline (value not shown)", pointer)


RULES = (service_discovery_missing, configuration_missing, observability_missing,
         secrets_missing, inline_secret)
