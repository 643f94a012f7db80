"""AG6xx: Supporting Infrastructure: discovery, configuration, observability, secrets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

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


_SECRET_KEY = re.compile(
    r"(?:^|[_\-.])(password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
    r"private[_-]?key|credentials?)$", re.IGNORECASE)
_REFERENCE = re.compile(r"^\s*(\$\{|\$[A-Z_]|\{\{|<[^>]*>$|(vault|env|secret|ref\+[a-z]+):)",
                        re.IGNORECASE)
_SECRET_VALUES = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in (
    ("pem", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    ("aws", r"\bAKIA[0-9A-Z]{16}\b"),
    ("github", r"\bgh[pousr]_[A-Za-z0-9]{36,}"),
    ("slack", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("stripe", r"\bsk_live_[0-9A-Za-z]{16,}"),
    ("jwt", r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}"),
    ("url", r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"),
)))
_KINDS = {"pem": "a private key", "aws": "an AWS access key", "github": "a GitHub token",
          "slack": "a Slack token", "stripe": "a Stripe secret key", "jwt": "a JSON Web Token",
          "url": "a URL with a password"}
# Under these keys, names are field names and values are types (`password: str`).
_SCHEMA_KEYS = frozenset({"models", "payload", "query"})
_FIELD_KEYS: dict[type[BaseModel], dict[str, str]] = {}


def _keys_of(cls: type[BaseModel]) -> dict[str, str]:
    """Attribute -> key as written, cached per class: aliases such as `async`, `schema`."""
    if cls not in _FIELD_KEYS:
        _FIELD_KEYS[cls] = {n: f.alias or n for n, f in cls.model_fields.items()
                            if n != "extensions"}
    return _FIELD_KEYS[cls]


def strings(node: Any, pointer: Pointer = ()) -> Iterator[tuple[Pointer, str]]:
    """Every string of the raw model with its pointer, `x-` extensions included."""
    stack: list[tuple[Pointer, Any]] = [(pointer, node)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, BaseModel):
            keys = _keys_of(type(value))
            for attr, child in value.__dict__.items():
                if child is None or (not child and not isinstance(child, str)):
                    continue
                if attr == "extensions":
                    stack.append((where, child))
                elif attr in keys:
                    stack.append(((*where, keys[attr]), child))
        elif isinstance(value, dict):
            stack.extend(((*where, str(k)), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*where, i), v) for i, v in enumerate(value))


def _secret_kind(pointer: Pointer, value: str) -> str:
    match = _SECRET_VALUES.search(value) if len(value) >= 8 else None
    if match and match.lastgroup:
        return _KINDS[match.lastgroup]
    key = pointer[-1] if pointer else ""
    if (isinstance(key, str) and _SECRET_KEY.search(key) and len(value.strip()) >= 4
            and not _REFERENCE.match(value) and not _SCHEMA_KEYS.intersection(
                str(p) for p in pointer)):
        return f"a secret (the key is `{key}`)"
    return ""


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
    for pointer, value in strings(ctx.catalog.spec):
        kind = _secret_kind(pointer, value)
        if kind:
            yield self.finding(ctx, f"{'.'.join(map(str, pointer))} looks like {kind} written "
                               "inline (value not shown)", pointer)


RULES = (service_discovery_missing, configuration_missing, observability_missing,
         secrets_missing, inline_secret)
