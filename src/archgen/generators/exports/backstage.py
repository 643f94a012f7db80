"""Backstage catalog-info.yaml: System, Domain per bounded context, Component per service,
API per service spec, Resource per data store and topic, with the relations between them.

Backstage groups Components into Systems and Systems into Domains; a Component
cannot name a Domain, so each Component carries its bounded context's Domain in
the `archgen.dev/domain` label (and the Domain lists its services in its description).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from archgen.escaping import unicode_allowed
from archgen.model.resolved import ResolvedCatalog, Service

API_VERSION = "backstage.io/v1alpha1"
DOMAIN_LABEL = "archgen.dev/domain"
CONTEXT_ANNOTATION = "archgen.dev/bounded-context"
_NOT_NAME = re.compile(r"[^a-z0-9]+")


def entity_name(text: str) -> str:
    """A Backstage entity name: letters, digits and dashes, at most 63 characters."""
    name = _NOT_NAME.sub("-", text.lower()).strip("-")[:63].strip("-")
    return name or "unnamed"


def unique_names(wanted: Mapping[str, str]) -> dict[str, str]:
    """key -> entity name, distinct for distinct keys.

    A name more than one key would get (a store and a topic both called
    `orders`, contexts `Order Management` and `order-management`) gets a short
    hash of each key: two entities of one kind and name are one to Backstage.
    """
    claims = Counter(wanted.values())
    out: dict[str, str] = {}
    for key, name in wanted.items():
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:6]
        out[key] = f"{name[:56].strip('-')}-{digest}" if claims[name] > 1 else name
    return out


def owner_of(catalog: ResolvedCatalog, svc: Service | None = None) -> str:
    team = svc.spec.team if svc is not None else None
    return entity_name(team or catalog.system.owner or "unknown")


def entities(catalog: ResolvedCatalog) -> list[dict[str, Any]]:
    """Every entity, in a stable order: system, domains, components, APIs, resources."""
    system = entity_name(catalog.system.name)
    out = [_system(catalog, system)]
    out += _domains(catalog)
    for name in sorted(catalog.services):
        out.append(_component(catalog, catalog.services[name], system))
    for name in sorted(catalog.services):
        out += _apis(catalog, catalog.services[name], system)
    out += _events_api(catalog, system)
    out += _resources(catalog, system)
    return out


def _entity(kind: str, name: str, description: str, spec: dict[str, Any],
            labels: dict[str, str] | None = None,
            annotations: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if description:
        metadata["description"] = " ".join(description.split())
    if labels:
        metadata["labels"] = labels
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def _system(catalog: ResolvedCatalog, system: str) -> dict[str, Any]:
    title = catalog.system.title or catalog.system.name
    return _entity("System", system, catalog.system.description or title,
                   {"owner": owner_of(catalog)})


def _contexts(catalog: ResolvedCatalog) -> dict[str, list[Service]]:
    members: dict[str, list[Service]] = {}
    for name in sorted(catalog.services):
        svc = catalog.services[name]
        if svc.bounded_context:
            members.setdefault(svc.bounded_context, []).append(svc)
    return members


def domain_names(catalog: ResolvedCatalog) -> dict[str, str]:
    """Bounded context -> Domain entity name."""
    return unique_names({c: entity_name(c) for c in _contexts(catalog)})


def _domains(catalog: ResolvedCatalog) -> list[dict[str, Any]]:
    out = []
    domains = domain_names(catalog)
    for context, members in sorted(_contexts(catalog).items()):
        teams = sorted({owner_of(catalog, s) for s in members})
        owner = teams[0] if len(teams) == 1 else owner_of(catalog)
        names = ", ".join(s.name for s in members)
        out.append(_entity("Domain", domains[context],
                           f"Bounded context {context}: {names}", {"owner": owner},
                           annotations={CONTEXT_ANNOTATION: context}))
    return out


def events_api(catalog: ResolvedCatalog) -> str:
    """The one AsyncAPI document (asyncapi.yaml) describes every service's events."""
    return f"{entity_name(catalog.system.name)}-events"


def _api_names(catalog: ResolvedCatalog, svc: Service) -> list[str]:
    names = []
    if svc.endpoints:
        names.append(f"{svc.name}-api")
    if svc.publishes:
        names.append(events_api(catalog))
    return names


def _component(catalog: ResolvedCatalog, svc: Service, system: str) -> dict[str, Any]:
    depends = [f"component:{d.target}" for d in svc.dependencies if d.known]
    resources = resource_names(catalog)
    store = _store_key(svc)
    if store is not None:
        depends.append(f"resource:{resources[store]}")
    depends += [f"resource:{resources['topic:' + t]}" for t in _topics_of(catalog, svc)]
    consumes = sorted({f"{d.target}-api" for d in svc.dependencies
                       if d.known and catalog.services[d.target].endpoints}
                      | ({events_api(catalog)} if svc.consumes else set()))
    spec: dict[str, Any] = {"type": "service", "lifecycle": "production",
                            "owner": owner_of(catalog, svc), "system": system}
    _put(spec, "providesApis", _api_names(catalog, svc))
    _put(spec, "consumesApis", consumes)
    _put(spec, "dependsOn", sorted(set(depends)))
    context = svc.bounded_context
    labels = {DOMAIN_LABEL: domain_names(catalog)[context]} if context else None
    return _entity("Component", svc.name, svc.spec.description or "", spec, labels)


def _put(spec: dict[str, Any], key: str, values: Iterable[str]) -> None:
    items = list(values)
    if items:
        spec[key] = items


def _topics_of(catalog: ResolvedCatalog, svc: Service) -> list[str]:
    events = {p.event for p in svc.publishes} | {c.event for c in svc.consumes}
    return sorted({t for e in events if e in catalog.events for t in catalog.events[e].topics})


def _apis(catalog: ResolvedCatalog, svc: Service, system: str) -> list[dict[str, Any]]:
    out = []
    owner = owner_of(catalog, svc)
    if svc.endpoints:
        out.append(_entity("API", f"{svc.name}-api", f"HTTP API of {svc.name}",
                           {"type": "openapi", "lifecycle": "production", "owner": owner,
                            "system": system,
                            "definition": {"$text": f"./openapi/{svc.name}.yaml"}}))
    return out


def _events_api(catalog: ResolvedCatalog, system: str) -> list[dict[str, Any]]:
    if not any(s.publishes or s.consumes for s in catalog.services.values()):
        return []
    return [_entity("API", events_api(catalog), "Domain events on the event bus (AsyncAPI)",
                    {"type": "asyncapi", "lifecycle": "production",
                     "owner": owner_of(catalog), "system": system,
                     "definition": {"$text": "./asyncapi.yaml"}})]


def _store_key(svc: Service) -> str | None:
    store = svc.data_store
    if store is None or store.type == "none":
        return None
    return "store:" + (store.name or f"{svc.name}-store")


def resource_names(catalog: ResolvedCatalog) -> dict[str, str]:
    """`store:NAME` / `topic:NAME` -> Resource entity name, distinct for each."""
    stores = {_store_key(s) for s in catalog.services.values()} - {None}
    wanted = {key: entity_name(key.split(":", 1)[1]) for key in stores if key}
    wanted.update({f"topic:{t}": entity_name(t) for t in catalog.topics})
    return unique_names(dict(sorted(wanted.items())))


def _resources(catalog: ResolvedCatalog, system: str) -> list[dict[str, Any]]:
    out = []
    names = resource_names(catalog)
    users: dict[str, list[Service]] = {}
    for name in sorted(catalog.services):
        key = _store_key(catalog.services[name])
        if key is not None:  # a store two services share is one Resource (AG301 says so)
            users.setdefault(key, []).append(catalog.services[name])
    for key, members in sorted(users.items()):
        first = members[0]
        store = first.data_store
        assert store is not None
        spec = {"type": "database", "owner": owner_of(catalog, first), "system": system,
                "dependencyOf": [f"component:{s.name}" for s in members]}
        owners = ", ".join(s.name for s in members)
        out.append(_entity("Resource", names[key],
                           f"{store.technology or 'data store'} of {owners}: "
                           f"{store.owns or ''}", spec))
    for name, topic in sorted(catalog.topics.items()):
        out.append(_entity("Resource", names[f"topic:{name}"], topic.spec.description or "",
                           {"type": "topic", "owner": owner_of(catalog), "system": system}))
    return out


def render(catalog: ResolvedCatalog) -> str:
    """catalog-info.yaml: one YAML document per entity."""
    docs = entities(catalog)
    return yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=unicode_allowed(docs),
                              width=1_000_000, explicit_start=True)
