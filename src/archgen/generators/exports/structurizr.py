"""A Structurizr DSL workspace: the system as a software system whose containers are the
gateway, the services (grouped by bounded context), their stores and the topics."""

from __future__ import annotations

from archgen.escaping import structurizr_string
from archgen.generators.diagrams.model import ident
from archgen.model.resolved import ResolvedCatalog, Service

text = structurizr_string


def render(catalog: ResolvedCatalog) -> str:
    title = catalog.system.title or catalog.system.name
    lines = [f"workspace {text(title)} {text(catalog.system.description or '')} {{",
             "    model {",
             '        clients = person "Clients" "Web and mobile clients"',
             f"        system = softwareSystem {text(title)} "
             f"{text(catalog.system.description or '')} {{"]
    lines += _containers(catalog)
    lines.append("        }")
    lines += [f"        {line}" for line in _relationships(catalog)]
    lines += ["    }", *_VIEWS, "}"]
    return "\n".join(lines) + "\n"


def _containers(catalog: ResolvedCatalog) -> list[str]:
    gw = catalog.gateway
    tech = (gw.technology or "") if gw else ""
    out = [f'            gateway = container "API Gateway" '
           f'{text((gw.purpose or "") if gw else "")} {text(tech)} {{',
           '                tags "Gateway"', "            }"]
    groups: dict[str, list[Service]] = {}
    for name in sorted(catalog.services):
        svc = catalog.services[name]
        groups.setdefault(svc.bounded_context or "", []).append(svc)
    declared: set[str] = set()  # a store two services share is declared once
    for context, members in sorted(groups.items()):
        indent = "                " if context else "            "
        if context:
            out.append(f"            group {text(context)} {{")
        for svc in members:
            out += [indent + line for line in _service(svc, declared)]
        if context:
            out.append("            }")
    for name, topic in sorted(catalog.topics.items()):
        bus = catalog.event_bus
        # " topic": container names must be unique, and a store may share a topic's name.
        out += [f"            {ident('topic', name)} = container {text(name + ' topic')} "
                f"{text(', '.join(topic.events))} "
                f"{text(((bus.technology or '') if bus else '') + ' topic')} {{",
                '                tags "Topic"', "            }"]
    return out


def _service(svc: Service, declared: set[str]) -> list[str]:
    tech = svc.spec.technology
    stack = " / ".join(p for p in ((tech.language, tech.framework) if tech else ()) if p)
    out = [f"{ident('svc', svc.name)} = container {text(svc.name)} "
           f"{text(svc.spec.description or '')} {text(stack)} {{",
           '    tags "Service"', "}"]
    store = svc.data_store
    store_name = (store.name or f"{svc.name}-store") if store is not None else ""
    if store is not None and store.type != "none" and store_name not in declared:
        declared.add(store_name)
        out += [f"{ident('db', store_name)} = container {text(store_name)} "
                f"{text(store.owns or '')} {text(store.technology or '')} {{",
                '    tags "Database"', "}"]
    return out


def _relationships(catalog: ResolvedCatalog) -> list[str]:
    out = ['clients -> gateway "Uses" "HTTPS"']
    for name in sorted(catalog.services):
        svc = catalog.services[name]
        me = ident("svc", name)
        if svc.routed:
            out.append(f'gateway -> {me} "Routes requests to" "REST"')
        for dep in svc.dependencies:
            if dep.known:
                timeout = f", {dep.timeout_ms} ms" if dep.timeout_ms else ""
                out.append(f'{me} -> {ident("svc", dep.target)} "Calls" '
                           f'{text((dep.protocol or "call") + timeout)}')
        store = svc.data_store
        if store is not None and store.type != "none":
            out.append(f'{me} -> {ident("db", store.name or f"{name}-store")} '
                       '"Reads from and writes to"')
        out += _event_relationships(catalog, svc)
    return out


def _event_relationships(catalog: ResolvedCatalog, svc: Service) -> list[str]:
    me = ident("svc", svc.name)
    published: dict[str, list[str]] = {}
    consumed: dict[str, list[str]] = {}
    for pub in svc.publishes:
        for topic in catalog.events[pub.event].topics:
            published.setdefault(topic, []).append(pub.event)
    for sub in svc.consumes:
        for topic in catalog.events[sub.event].topics:
            consumed.setdefault(topic, []).append(sub.event)
    out = [f"{me} -> {ident('topic', t)} {text('Publishes ' + ', '.join(sorted(e)))} \"async\""
           for t, e in sorted(published.items())]
    out += [f"{ident('topic', t)} -> {me} {text('Delivers ' + ', '.join(sorted(e)))} \"async\""
            for t, e in sorted(consumed.items())]
    return out


_VIEWS = (
    "    views {",
    '        systemContext system "SystemContext" {',
    "            include *",
    "            autoLayout lr",
    "        }",
    '        container system "Containers" {',
    "            include *",
    "            autoLayout lr",
    "        }",
    "        styles {",
    '            element "Person" {',
    "                shape Person",
    "            }",
    '            element "Database" {',
    "                shape Cylinder",
    "            }",
    '            element "Topic" {',
    "                shape Pipe",
    "            }",
    '            element "Gateway" {',
    "                shape Hexagon",
    "            }",
    "        }",
    "    }",
)
