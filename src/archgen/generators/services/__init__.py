"""`services/<service>/`: a runnable FastAPI + Kafka service per catalog service.

Managed files come from `templates/services/` through the one Jinja environment;
the runtime they share is the service kit (`services/_kit/`, kit.py). The team's
files (handlers, their tests, README) are SCAFFOLD outputs rendered once through
cookiecutter from `templates/services-scaffold/`, or from the service's own
`technology.template` (a path or git URL).
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from archgen.escaping import markdown_inline
from archgen.generators.common import GenerationError, pascal
from archgen.generators.inputs import ServiceInputs
from archgen.generators.openapi import service_document
from archgen.generators.services.build import service_ir
from archgen.generators.services.ir import ServiceIR, class_names
from archgen.generators.services.kit import (
    KIT_FOLDER,
    STORE_MODULES,
    TEST_DEPENDENCIES,
    kit_files,
    kit_fingerprint,
    kit_requirement,
    kit_values,
)
from archgen.generators.services.migrations import migration_files
from archgen.generators.services.sandbox import Untrusted, render_sandboxed
from archgen.generators.services.schema import (
    JSON_TYPE,
    Attribute,
    column_source,
    constraint_sources,
    index_sources,
    service_schema,
)
from archgen.generators.services.testplan import (
    contract_calls,
    contracts,
    endpoint_cases,
    endpoint_uses,
    reaction_cases,
    reaction_uses,
)
from archgen.model.bodylimit import DEFAULT_BODY_LIMIT, MIN_BODY_LIMIT
from archgen.model.deployment import KAFKA_CONSUMER_ENV, STORE_POOL_SIZE, STORE_POOL_TIMEOUT_S
from archgen.output import GenerationContext, OutputFile, Ownership, Unit
from archgen.resources import data_dir
from archgen.templating import render

# Runtime dependencies of every generated service (stores add theirs).
# uvicorn[standard]: uvloop and httptools instead of asyncio and h11; orjson writes
# the responses.
_BASE_DEPS = ("fastapi>=0.110", "uvicorn[standard]>=0.29", "orjson>=3.8", "pydantic>=2.11",
              "pydantic-settings>=2.2", "aiokafka>=0.11", "httpx>=0.27", "tenacity>=8.2",
              "purgatory>=3.0", "prometheus-client>=0.20")
_STORE_DEPS = {"relational": ("sqlalchemy[asyncio]>=2.0", "asyncpg>=0.29", "aiosqlite>=0.20",
                              "alembic>=1.13"),
               "key-value": ("redis>=5.0.1",), "document": ("pymongo>=4.9",), "memory": ()}
# Store URLs of the generated tests: in-process or a SQLite file, no server needed.
_TEST_STORE = {"relational": 'f"sqlite+aiosqlite:///{tmp_path}/test.db"',
               "key-value": '"memory://"', "document": '"memory://"'}
# The modules generated per service: what its catalog entry decides (the rest is the kit's).
_MANAGED = ("__init__", "app", "models", "spec", "tables", "routes", "clients", "settings",
            "handlers_api", "repositories")


_MIGRATIONS = ("alembic.ini", "migrations/env.py", "migrations/script.py.mako")


# Options of this generator (GenerationContext.options["services"]), set by the commands.
TRUST_OPTION = "trust_templates"
CATALOG_DIR_OPTION = "catalog_dir"
# The output folder: where a service's migrations already written are (migrations.py).
OUTPUT_DIR_OPTION = "output_dir"


def lit(value: Any) -> str:
    """A Python literal of plain data (str, numbers, bools, None, tuples, dicts, lists)."""
    return repr(value)


class ServicesGenerator:
    name = "services"
    description = "runnable FastAPI + Kafka services with their own store (services/<name>/)"

    def plan(self, ctx: GenerationContext) -> list[OutputFile]:
        services = [f for name in sorted(ctx.catalog.services) for f in self._service(ctx, name)]
        return [*self._kit(ctx), *services]

    def units(self, ctx: GenerationContext) -> list[Unit]:
        """The kit, then one unit per service, fingerprinted on what its files read
        (inputs.py)."""
        inputs = ServiceInputs(ctx)
        kit = [Unit(f"services/{KIT_FOLDER}", kit_fingerprint() if ctx.catalog.services else "",
                    functools.partial(self._kit, ctx))]
        return kit + [Unit(f"services/{name}", inputs.service(name),
                           functools.partial(self._service, ctx, name))
                      for name in sorted(ctx.catalog.services)]

    def _kit(self, ctx: GenerationContext) -> list[OutputFile]:
        return kit_files(self.name) if ctx.catalog.services else []

    def _service(self, ctx: GenerationContext, name: str) -> list[OutputFile]:
        ir = service_ir(ctx.catalog, ctx.deployment, name)
        return [*self._managed(ctx, ir),
                *self._scaffold(ctx, ir, ctx.catalog.services[name].spec.technology)]

    def _managed(self, ctx: GenerationContext, ir: ServiceIR) -> list[OutputFile]:
        root = f"services/{ir.name}/"
        src = f"{root}src/{ir.package}/"
        values = _values(ctx, ir)
        out = [OutputFile(f"{root}pyproject.toml", render("services/pyproject.toml.jinja",
                                                          **values), self.name),
               OutputFile(f"{root}Dockerfile", render("services/Dockerfile.jinja", **values),
                          self.name),
               ]
        out += self._tests(ctx, ir, values)
        if ir.store_kind == "relational":
            for path in _MIGRATIONS:
                out.append(OutputFile(f"{root}{path}", render(f"services/{path}.jinja", **values),
                                      self.name))
            out += migration_files(root, ir.name, values["schema"], self._written(ctx, root),
                                   self.name, ctx.problems)
        for module in _MANAGED:
            if ((module == "tables" and ir.store_kind != "relational")
                    or (module == "repositories" and not ir.stored)):
                continue
            out.append(OutputFile(f"{src}{module}.py",
                                  render(f"services/src/{module}.py.jinja", **values), self.name))
        document = service_document(ctx.catalog, ctx.catalog.services[ir.name],
                                    ir.deployment.url)
        out.append(OutputFile(f"{src}openapi.json",
                              json.dumps(document, indent=2, sort_keys=False) + "\n", self.name))
        return out

    def _tests(self, ctx: GenerationContext, ir: ServiceIR, values: dict[str, Any]
               ) -> list[OutputFile]:
        """tests/: the generated tests (testplan.py decides what each checks) and the
        recorded contracts of the services this one calls."""
        root = f"services/{ir.name}/tests/"
        svc = ctx.catalog.services[ir.name]
        calls = contract_calls(ctx.catalog, ir)
        endpoints = endpoint_cases(svc, ir)
        reactions = reaction_cases(ctx.catalog, svc, ir)
        values = {**values, "endpoint_cases": endpoints, "reaction_cases": reactions,
                  "endpoint_uses": endpoint_uses(endpoints),
                  "reaction_uses": reaction_uses(reactions),
                  "contract_calls": calls,
                  "contract_types": sorted({t for u in ir.upstreams for c in u.calls
                                            for _, t in c.params}),
                  "contract_clients": sorted({c.client for c in calls})}
        names = ["conftest", "test_generated"]
        names += ["test_endpoints"] if endpoints else []
        names += ["test_reactions"] if ir.consumes else []
        names += ["test_contracts"] if calls else []
        out = [OutputFile(f"{root}{n}.py", render(f"services/tests/{n}.py.jinja", **values),
                          self.name) for n in names]
        if calls:
            for callee, document in contracts(ctx.catalog, ctx.deployment, ir).items():
                out.append(OutputFile(f"{root}contracts/{callee}.openapi.json",
                                      json.dumps(document, indent=2) + "\n", self.name))
        return out

    def _written(self, ctx: GenerationContext, root: str) -> Path | None:
        """The service's folder as an earlier run wrote it, if the command said where."""
        folder = ctx.option(self.name, OUTPUT_DIR_OPTION)
        return Path(str(folder)) / root if folder else None

    def _scaffold(self, ctx: GenerationContext, ir: ServiceIR, technology: Any
                  ) -> list[OutputFile]:
        template = (technology.template if technology is not None and technology.template
                    else str(data_dir("templates") / "services-scaffold"))
        # Only the command line trusts a template (never the catalog a pull request edits).
        trusted = ctx.option(self.name, TRUST_OPTION) is True
        base = Path(str(ctx.option(self.name, CATALOG_DIR_OPTION, ".")))
        overridable = [h["name"] for h in _handler_types(ir)]
        # Catalog text goes in private (`_`) variables: cookiecutter renders every other
        # variable as a Jinja template, so a description holding `{{ ... }}` would run.
        context = {"service": ir.name, "package": ir.package,
                   "overridable": " ".join(overridable), "_description": ir.description,
                   "_description_md": markdown_inline(ir.description)}
        return [OutputFile(f"services/{ir.name}/{path}", text, self.name, Ownership.SCAFFOLD)
                for path, text in render_scaffold(template, context, trusted=trusted,
                                                  base=base)]


def render_scaffold(template: str, context: dict[str, str], *, trusted: bool = False,
                    base: Path | None = None) -> list[tuple[str, str | bytes]]:
    """Render a cookiecutter template; (path below the project, text) pairs.

    In Jinja's sandbox with no hooks, unless `trusted`: then through cookiecutter
    itself, hooks included. A relative local path is relative to `base` (the
    catalog's folder).
    """
    from cookiecutter.exceptions import CookiecutterException  # type: ignore[import-untyped]

    template = _located(template, base)
    if not trusted:
        return _sandboxed(template, context)
    from cookiecutter.main import cookiecutter  # type: ignore[import-untyped]

    with tempfile.TemporaryDirectory() as tmp:
        config = {"replay_dir": f"{tmp}/replay", "cookiecutters_dir": f"{tmp}/cache"}
        try:
            project = Path(cookiecutter(template, no_input=True, extra_context=context,
                                        output_dir=f"{tmp}/out", default_config=config,
                                        accept_hooks=True))
        except (CookiecutterException, OSError) as exc:
            raise GenerationError(f"cookiecutter template {template} of {context['service']} "
                                  f"failed: {exc}", "fix technology.template") from None
        return sorted((p.relative_to(project).as_posix(), _text_or_bytes(p.read_bytes()))
                      for p in project.rglob("*") if p.is_file() and not _build_artifact(p))


def _located(template: str, base: Path | None) -> str:
    """A relative local template path as seen from `base`; URLs and absolute paths as given."""
    from cookiecutter.config import BUILTIN_ABBREVIATIONS  # type: ignore[import-untyped]
    from cookiecutter.repository import (  # type: ignore[import-untyped]
        expand_abbreviations,
        is_repo_url,
    )

    expanded = expand_abbreviations(template, BUILTIN_ABBREVIATIONS)
    if base is None or is_repo_url(expanded) or Path(expanded).is_absolute():
        return str(expanded)
    return str(base / expanded)


def _sandboxed(template: str, context: dict[str, str]) -> list[tuple[str, str | bytes]]:
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.repository import determine_repo_dir

    with tempfile.TemporaryDirectory() as tmp:
        try:  # fetches a git URL or unpacks a zip file; runs nothing of the template's
            repo, _ = determine_repo_dir(template, abbreviations={}, clone_to_dir=tmp,
                                         checkout=None, no_input=True)
            files = render_sandboxed(Path(repo), context)
        except Untrusted as exc:
            raise GenerationError(
                f"cookiecutter template {template} of {context['service']} is not rendered: "
                f"{exc}", "pass --trust-templates to render it with cookiecutter itself, "
                "hooks included, if you trust its code") from None
        except (CookiecutterException, OSError) as exc:
            raise GenerationError(f"cookiecutter template {template} of {context['service']} "
                                  f"failed: {exc}", "fix technology.template") from None
    return [(path, text) for path, text in files if not _build_artifact(Path(path))]


def _build_artifact(path: Path) -> bool:
    """Byte-code a Python installer compiled into the installed template (pip does, in the
    wheel's data): never part of a service."""
    return "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo")


def _text_or_bytes(data: bytes) -> str | bytes:
    """A team template may ship binary files (an icon); they are written as they are."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _values(ctx: GenerationContext, ir: ServiceIR) -> dict[str, Any]:
    dep = ir.deployment
    store = dep.store
    kind = ir.store_kind
    store_env = store.url_env if store else ""
    store_default = (f"sqlite+aiosqlite:///./{store.database}.db" if kind == "relational"
                     and store else "memory://")
    return {
        "service": ir.name, "package": ir.package, "port": dep.port,
        "source": f"/{ir.system}/{ir.name}", "description": ir.description,
        "version": ctx.catalog.system.version or "0.0.0",
        "dependencies": [kit_requirement(), *_BASE_DEPS, *_STORE_DEPS[kind]],
        "test_dependencies": TEST_DEPENDENCIES,
        **kit_values(), "store_module": STORE_MODULES[kind], "store_kind": kind,
        "kit_folder": KIT_FOLDER,
        "models": ir.models, "events": _unique_events(ir), "stored": ir.stored,
        "publishes": ir.publishes, "consumes": ir.consumes, "reactions": ir.reactions,
        "machines": ir.machines, "deadlines": ir.deadlines,
        "endpoints": [_endpoint_values(e) for e in ir.endpoints],
        "aliased_params": any(p != w for e in ir.endpoints for p, _, w in e.params),
        "retry_attempts": ir.retry_attempts, "retry_base_ms": ir.retry_base_ms,
        "upstreams": [{**u.__dict__, "url": next(x.url for x in dep.upstreams
                                                 if x.service == u.service)}
                      for u in ir.upstreams],
        "store_env": store_env, "store_default": store_default,
        "needs_broker": bool(ir.publishes or ir.consumes),
        "test_store_url": _TEST_STORE.get(kind, '"memory://"'),
        "health_live": dep.health_live, "health_ready": dep.health_ready,
        "metrics_path": dep.metrics_path, "kafka_defaults": KAFKA_CONSUMER_ENV,
        "other_packages": ir.other_packages, "lit": lit,
        "min_body_limit": MIN_BODY_LIMIT, "default_body_limit": DEFAULT_BODY_LIMIT,
        "store_pool_size": STORE_POOL_SIZE, "store_pool_timeout_s": STORE_POOL_TIMEOUT_S,
        **(_schema_values(ctx, ir) if kind == "relational" else {}),
        "handler_types": _handler_types(ir), **_repositories(ir),
    }


# What handlers_api.py defines and imports: a handler's type must not take these names.
_CONTRACT_NAMES = frozenset({"ANSWERS", "Annotated", "Any", "Awaitable", "Callable",
                             "Depends", "Implement", "RuntimeDep",
                             "ModuleType", "OVERRIDABLE", "Runtime", "Settings", "Team",
                             "TypeAdapter", "TypeAlias", "UUID", "Unit", "annotations",
                             "contract", "dataclass", "date", "datetime", "implement",
                             "models"})


def _handler_types(ir: ServiceIR) -> list[dict[str, Any]]:
    """Every handler a team may replace, as handlers_api.py types it: endpoints (by their
    operationId) with their path parameters, request and response; then reactions
    (`on_<event>`, by the consumed event)."""
    names = [e.name for e in ir.endpoints] + [
        "on_" + e.name.replace(".", "_").replace("-", "_") for e in ir.consumes]
    types = class_names({n: pascal(n) + "Handler" for n in names}, _CONTRACT_NAMES)
    out: list[dict[str, Any]] = [
        {"name": e.name, "type": types[e.name], "event": None, "response": e.response,
         "args": ["Runtime", *(t for _, t, _ in e.params),
                  *([f"models.{e.request}"] if e.request else [])]}
        for e in ir.endpoints]
    out += [{"name": n, "type": types[n], "event": e.name, "response": None, "args": []}
            for n, e in zip(names[len(ir.endpoints):], ir.consumes, strict=True)]
    return out


def _repositories(ir: ServiceIR) -> dict[str, Any]:
    """One typed repository per stored model (its key, and a lookup per indexed field: the
    fields the endpoints and reactions look instances up by), and the names the types of
    keys and lookups need imported."""
    classes = {m.name: m for m in ir.models}
    out: list[dict[str, Any]] = []
    types: list[str] = []  # every key's and lookup's type, for the imports
    for stored in ir.stored:
        fields = {f.alias or f.name: f for f in classes[stored.cls].fields}
        if stored.key not in fields:
            continue  # a model without fields: nothing to key it by
        key_type = _plain_type(fields[stored.key].annotation)
        lookups = [{"name": fields[i].name, "field": i,
                    "type": _plain_type(fields[i].annotation)}
                   for i in stored.indexes if i in fields]
        types += [key_type, *(lookup["type"] for lookup in lookups)]
        out.append({"model": stored.name, "cls": stored.cls, "key": stored.key,
                    "key_type": key_type, "lookups": lookups})
    used = " ".join(types)
    imports = {"datetime": [n for n in ("date", "datetime") if re.search(rf"\b{n}\b", used)],
               "typing": [n for n in ("Any", "Literal") if re.search(rf"\b{n}\b", used)],
               "uuid": ["UUID"] if re.search(r"\bUUID\b", used) else []}
    return {"repositories": out, "repository_imports": imports}


_PLAIN_TYPES = ("UUID", "str", "int", "float", "bool", "date", "datetime")


def _plain_type(annotation: str) -> str:
    """A field's annotation without its constraints, as a key or lookup argument's type:
    `Annotated[str, ...] | None` -> `str`; what is no plain type is Any."""
    text = annotation.removesuffix(" | None")
    if text.startswith("Annotated["):
        text = text[len("Annotated["):].split(",")[0]
    text = {"StrictInt": "int", "StrictBool": "bool"}.get(text, text)
    return text if text in _PLAIN_TYPES or text.startswith("Literal[") else "Any"


# archgen's own tables in tables.py: the names the store imports, and why each is there.
_ARCHGEN_VARS = {
    "archgen_outbox": ("outbox", "# The transactional outbox: an event is written with the "
                       "state change it reports,\n# in the same transaction, and published by "
                       "the relay afterwards."),
    "archgen_outbox_parked": ("outbox_parked", "# Outbox events the broker refused (too large, "
                              "say): kept with the reason for a person to\n# look at, so that "
                              "the relay goes on with the next."),
    "archgen_processed_events": ("processed_events", "# Event ids already handled: consumers "
                                 "skip redeliveries (at-least-once -> effectively once)."),
    "archgen_idempotency_keys": ("idempotency_keys", "# Idempotency-Key of creates: the first "
                                 "result under each key, written in the create's\n# own "
                                 "transaction (with its outbox row), so a retried create "
                                 "answers it again."),
    "archgen_timers": ("timers", "# Timeouts a reaction set (`within`): fired by the kit's "
                       "poller once `due_at` (epoch\n# seconds) passed, if the record's "
                       "`field` still holds `state`."),
}


def _schema_values(ctx: GenerationContext, ir: ServiceIR) -> dict[str, Any]:
    schema = service_schema(ctx.catalog.services[ir.name], ir.stored, bool(ir.deadlines))
    return {
        "schema": schema,
        "schema_uses_postgresql": any(c.type == JSON_TYPE for t in schema.tables
                                      for c in t.columns),
        "archgen_tables": [{"table": t, "var": _ARCHGEN_VARS[t.name][0],
                            "comment": _ARCHGEN_VARS[t.name][1]} for t in schema.tables
                           if t.name in _ARCHGEN_VARS],
        "column_source": column_source, "constraint_sources": constraint_sources,
        "index_sources": index_sources, "crossing_in": _crossing_in,
        "crossing_out": _crossing_out,
    }


def _crossing_in(attribute: Attribute, var: str) -> str:
    """Python source: a field of the dumped model `var` as its column takes it."""
    value = f"{var}[{attribute.field!r}]"
    return f"_json({value})" if attribute.kind == "json" else value


def _crossing_out(attribute: Attribute, var: str) -> str:
    """Python source: a column of row `var` as the model's field takes it."""
    value = f"{var}[{attribute.column!r}]"
    return f"_text({value})" if attribute.kind == "decimal" else value


def _unique_events(ir: ServiceIR) -> list[Any]:
    seen: dict[str, Any] = {}
    for event in (*ir.publishes, *ir.consumes):
        seen.setdefault(event.cls, event)
    return list(seen.values())


def _endpoint_values(ep: Any) -> dict[str, Any]:
    example = ep.path
    for _, typ, name in ep.params:
        value = {"UUID": "00000000-0000-4000-8000-000000000000", "int": "1"}.get(typ, "x")
        example = example.replace("{" + name + "}", value)
    return {**ep.__dict__, "example_path": example}
