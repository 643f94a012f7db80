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
import tempfile
from pathlib import Path
from typing import Any

from archgen.escaping import markdown_inline
from archgen.generators.common import GenerationError
from archgen.generators.inputs import ServiceInputs
from archgen.generators.openapi import service_document
from archgen.generators.services.build import service_ir
from archgen.generators.services.ir import ServiceIR
from archgen.generators.services.kit import KIT_FOLDER, kit_files, kit_fingerprint
from archgen.generators.services.migrations import migration_files
from archgen.generators.services.sandbox import Untrusted, render_sandboxed
from archgen.generators.services.template_inputs import (
    HandlerType,
    ServiceTemplate,
    ServiceTests,
    service_inputs,
)
from archgen.generators.services.testplan import (
    contract_calls,
    contracts,
    endpoint_cases,
    endpoint_uses,
    reaction_cases,
    reaction_uses,
)
from archgen.output import GenerationContext, OutputFile, Ownership, Unit
from archgen.resources import data_dir
from archgen.templating import render_inputs

# The modules generated per service: what its catalog entry decides (the rest is the kit's).
_MANAGED = ("__init__", "app", "models", "spec", "tables", "routes", "clients", "settings",
            "handlers_api", "repositories")


_MIGRATIONS = ("alembic.ini", "migrations/env.py", "migrations/script.py.mako")


# Options of this generator (GenerationContext.options["services"]), set by the commands.
TRUST_OPTION = "trust_templates"
CATALOG_DIR_OPTION = "catalog_dir"
# The output folder: where a service's migrations already written are (migrations.py).
OUTPUT_DIR_OPTION = "output_dir"


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
        svc = ctx.catalog.services[name]
        values = service_inputs(svc, ir, ctx.catalog.system.version or "")
        return [*self._managed(ctx, ir, values),
                *self._scaffold(ctx, ir, values.handler_types, svc.spec.technology)]

    def _managed(self, ctx: GenerationContext, ir: ServiceIR, values: ServiceTemplate
                 ) -> list[OutputFile]:
        root = f"services/{ir.name}/"
        src = f"{root}src/{ir.package}/"
        out = [OutputFile(f"{root}pyproject.toml",
                          render_inputs("services/pyproject.toml.jinja", values), self.name),
               OutputFile(f"{root}Dockerfile", render_inputs("services/Dockerfile.jinja", values),
                          self.name),
               ]
        out += self._tests(ctx, ir, values)
        if ir.store_kind == "relational":
            for path in _MIGRATIONS:
                out.append(OutputFile(f"{root}{path}",
                                      render_inputs(f"services/{path}.jinja", values), self.name))
            assert values.schema is not None  # a relational service's
            out += migration_files(root, ir.name, values.schema, self._written(ctx, root),
                                   self.name, ctx.problems)
        for module in _MANAGED:
            if ((module == "tables" and ir.store_kind != "relational")
                    or (module == "repositories" and not ir.stored)):
                continue
            out.append(OutputFile(f"{src}{module}.py",
                                  render_inputs(f"services/src/{module}.py.jinja", values),
                                  self.name))
        document = service_document(ctx.catalog, ctx.catalog.services[ir.name],
                                    ir.deployment.url)
        out.append(OutputFile(f"{src}openapi.json",
                              json.dumps(document, indent=2, sort_keys=False) + "\n", self.name))
        return out

    def _tests(self, ctx: GenerationContext, ir: ServiceIR, values: ServiceTemplate
               ) -> list[OutputFile]:
        """tests/: the generated tests (testplan.py decides what each checks) and the
        recorded contracts of the services this one calls."""
        root = f"services/{ir.name}/tests/"
        svc = ctx.catalog.services[ir.name]
        calls = contract_calls(ctx.catalog, ir)
        endpoints = endpoint_cases(svc, ir)
        reactions = reaction_cases(ctx.catalog, svc, ir)
        tests = ServiceTests(
            endpoint_cases=tuple(endpoints), reaction_cases=tuple(reactions),
            endpoint_uses=tuple(endpoint_uses(endpoints)),
            reaction_uses=tuple(reaction_uses(reactions)), contract_calls=tuple(calls),
            contract_types=tuple(sorted({t for u in ir.upstreams for c in u.calls
                                         for _, t in c.params})),
            contract_clients=tuple(sorted({c.client for c in calls})))
        names = ["conftest", "test_generated"]
        names += ["test_endpoints"] if endpoints else []
        names += ["test_reactions"] if ir.consumes else []
        names += ["test_contracts"] if calls else []
        out = [OutputFile(f"{root}{n}.py",
                          render_inputs(f"services/tests/{n}.py.jinja", values, tests),
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

    def _scaffold(self, ctx: GenerationContext, ir: ServiceIR,
                  handlers: tuple[HandlerType, ...], technology: Any) -> list[OutputFile]:
        template = (technology.template if technology is not None and technology.template
                    else str(data_dir("templates") / "services-scaffold"))
        # Only the command line trusts a template (never the catalog a pull request edits).
        trusted = ctx.option(self.name, TRUST_OPTION) is True
        base = Path(str(ctx.option(self.name, CATALOG_DIR_OPTION, ".")))
        overridable = [h.name for h in handlers]
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
    local = Path(template) if base is None else base / template
    if local.is_dir():  # the common case, archgen's own scaffold: no cookiecutter to import
        return str(local)
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
    if (Path(template) / "cookiecutter.json").is_file():  # a template folder: used in place
        return _rendered(template, Path(template), context)
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.repository import determine_repo_dir

    with tempfile.TemporaryDirectory() as tmp:
        try:  # fetches a git URL or unpacks a zip file; runs nothing of the template's
            repo, _ = determine_repo_dir(template, abbreviations={}, clone_to_dir=tmp,
                                         checkout=None, no_input=True)
        except (CookiecutterException, OSError) as exc:
            raise GenerationError(f"cookiecutter template {template} of {context['service']} "
                                  f"failed: {exc}", "fix technology.template") from None
        return _rendered(template, Path(repo), context)


def _rendered(template: str, repo: Path, context: dict[str, str]
              ) -> list[tuple[str, str | bytes]]:
    """The template's files rendered in the sandbox, its refusals as GenerationError."""
    try:
        files = render_sandboxed(repo, context)
    except Untrusted as exc:
        raise GenerationError(
            f"cookiecutter template {template} of {context['service']} is not rendered: "
            f"{exc}", "pass --trust-templates to render it with cookiecutter itself, "
            "hooks included, if you trust its code") from None
    except OSError as exc:
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
