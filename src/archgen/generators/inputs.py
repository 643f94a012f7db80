"""Fingerprints of what each planning unit reads: per service, and (`built`, at
the end) for the system-wide outputs.

A service's generated files (its runnable service, its OpenAPI document) are a
function of a few parts of the catalog, not of all of it:

- the run's shared inputs: every top-level section but `services` and the topics (system,
  gateway, communication defaults, infrastructure, ...), the names of all
  services (each service lists the other packages) and whether templates are
  trusted (a service with its own scaffold template is rendered on every run);
- its own section of `services`;
- its deployment as the deployment model computes it (port, store, upstreams
  with their budgets, environment);
- the sections of the services it calls (their GET endpoints and models become
  its typed clients);
- the topics that carry the events it publishes or consumes, and the payload of
  each event it consumes (defined by the event's producer).

archgen's own code and templates, and the libraries that shape output, are
added by the planner (generation.py). The fingerprint hashes exactly those, so
a change elsewhere leaves it, and the files, alone. Anything a generator starts
reading must be added here: the generation tests compare an incremental run with
a full one after each kind of change.
"""

from __future__ import annotations

import functools
import hashlib
import io
import pickle
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from archgen.model.deployment import TopicDeployment
from archgen.output import GenerationContext, OutputFile, Unit


def _digest(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") + b"\0")
    return "sha256:" + digest.hexdigest()


class ServiceInputs:
    """The fingerprints of one run's services (one instance per generator and run)."""

    def __init__(self, ctx: GenerationContext) -> None:
        self.ctx = ctx
        self._sections: dict[str, str] = {}

    @functools.cached_property
    def shared(self) -> str:
        spec = self.ctx.catalog.spec
        rest = spec.model_dump_json(exclude={"services": True, "event_bus": {"topics"}})
        names = "\n".join(sorted(self.ctx.catalog.services))
        trusted = self.ctx.option("services", "trust_templates") is True
        return _digest(rest, names, str(trusted))

    @functools.cached_property
    def _topic_of(self) -> dict[str, TopicDeployment]:
        out: dict[str, TopicDeployment] = {}
        for topic in self.ctx.deployment.topics.values():
            for event in topic.events:
                out.setdefault(event, topic)
        return out

    def section(self, name: str) -> str:
        found = self._sections.get(name)
        if found is None:
            found = self._sections[name] = (
                self.ctx.catalog.spec.services[name].model_dump_json())
        return found

    def service(self, name: str) -> str | None:
        """What the service's runnable code reads (build.py and the templates' values);
        None for a service with its own scaffold template (a folder or repository
        whose content no fingerprint sees): rendered on every run."""
        catalog, dep = self.ctx.catalog, self.ctx.deployment.services[name]
        svc = catalog.services[name]
        if svc.spec.technology is not None and svc.spec.technology.template:
            return None
        events = [p.event for p in svc.publishes] + [s.event for s in svc.consumes]
        topics = [repr(self._topic_of.get(e)) for e in events]
        payloads = [repr(tuple((catalog.payload_of(s.event) or {}).values()))
                    for s in svc.consumes]
        callees = [self.section(u.service) + self.ctx.deployment.services[u.service].url
                   for u in dep.upstreams if u.service in catalog.services]
        return _digest(self.shared, "service", name, self.section(name), repr(dep),
                       *callees, *topics, *payloads)

    def document(self, name: str) -> str:
        """What the service's OpenAPI document reads (openapi.service_document)."""
        return _digest(self.shared, "openapi", name, self.section(name),
                       self.ctx.deployment.services[name].url)


def built(*parts: object) -> str | None:
    """The fingerprint of what a system-wide output is made from, once built.

    The gateway config, AsyncAPI, compose, Helm and the other outputs that read
    every service are cheap to build as data and costly to write out as text (YAML,
    Jinja, graphviz). Their fingerprint is the built data itself, pickled (types and
    order kept, at C speed): equal pickles give equal files, so a change that leaves
    the data alone (a `max_length` the gateway does not read) skips the writing out,
    and one that changes it can never be missed. None when the data does not pickle:
    the output is then written on every run.
    """
    stream = io.BytesIO()
    try:
        _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(parts)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    return "sha256:" + hashlib.sha256(stream.getvalue()).hexdigest()


class _Pickler(pickle.Pickler):
    """Pydantic models as their JSON: their own pickle holds the set of fields given,
    in an order that changes from one process to the next (hash randomisation)."""

    def reducer_override(self, obj: object) -> Any:
        if isinstance(obj, BaseModel):
            return str, (type(obj).__qualname__, obj.model_dump_json(),
                         sorted(obj.model_fields_set))
        return NotImplemented


def text(document: str) -> str:
    """A document that is already its text (a template file, a rendered page)."""
    return document


def document_unit(key: str, generator: str,
                  documents: Sequence[tuple[str, Callable[[Any], str], Any]]) -> Unit:
    """A unit of files each written out from built data: (path, how to write it, data).

    Fingerprinted on the data (`built`); rendering only writes it out.
    """
    inputs = built(*((path, write.__module__, write.__qualname__, data)
                     for path, write, data in documents))

    def render() -> list[OutputFile]:
        return [OutputFile(path, write(data), generator) for path, write, data in documents]

    return Unit(key, inputs, render)
