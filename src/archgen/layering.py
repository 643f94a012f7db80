"""The package layering, written down where tests/test_layering.py checks it.

Packages (a subpackage of archgen, or a top-level module) import one way: no cycle
between them. Three rules on top: a command module imports no other command (what
they share lives in a package below, or in COMMAND_HELPERS); the runtime never
imports a generator (it reads the plan the pipeline hands it and the written folder);
the model imports nothing of archgen above it (only BASE).

An import inside a function hides a dependency, so each one is deliberate and listed
in LAZY_IMPORTS with its reason; the test fails on one that is not listed, and on an
entry nothing matches any more.
"""

from __future__ import annotations

from typing import NamedTuple

# Modules of archgen.commands that are no command: what the commands share.
COMMAND_HELPERS = ("archgen.commands", "archgen.commands.common", "archgen.commands.style",
                   "archgen.commands.report_options")
# What the model may import of archgen besides itself: leaf modules that import only each
# other.
BASE = ("archgen.limits", "archgen.errors", "archgen.escaping", "archgen.findings",
        "archgen.exit_codes")


class Lazy(NamedTuple):
    """Function-level imports in `importer` (a module, or a package and all below it) of
    `imported` (likewise; "*" for anything), and why they are not at the top."""

    importer: str
    imported: str
    reason: str


_COLD = "cold start: `archgen --help` and `validate` must not load it"
_EXTRA = "an optional extra (archgen[run]): archgen runs without it until the feature is used"

LAZY_IMPORTS: tuple[Lazy, ...] = (
    Lazy("archgen.commands", "*",
         "cold start: the CLI imports every command module to build its help; a command "
         "imports its work only when it runs"),
    Lazy("archgen.__main__", "archgen", "`--version` answers without loading the CLI"),
    Lazy("archgen.pipeline", "archgen.generators",
         "the no-op run (fastpath) returns before any generator is imported"),
    Lazy("archgen.pipeline", "archgen.generation",
         "the no-op run (fastpath) returns before the plan and the deployment model load"),
    Lazy("archgen.pipeline", "archgen.reporting",
         "the reporters load only when a run prints findings or changes, not on a no-op"),
    Lazy("archgen.generation", "archgen.generators",
         "the registry imports every generator: only a run that plans outputs needs it"),
    Lazy("archgen.generation", "archgen.rules", "the rule registry loads every check"),
    Lazy("archgen.generation", "concurrent",
         "threads only for a generator that draws with graphviz"),
    Lazy("archgen.validation", "archgen.rules", "the rule registry loads every check"),
    Lazy("archgen.config", "archgen.rules", "the rule registry loads every check"),
    Lazy("archgen.suppression", "archgen.rules", "the rule registry loads every check"),
    Lazy("archgen.reporting", "archgen.rules", "the rule registry loads every check"),
    Lazy("archgen.rules.skipped", "archgen.rules",
         "the registry imports this module: a top-level import would be a cycle"),
    Lazy("archgen.rules.base", "archgen.graph", "the graph views: only rules that walk them"),
    Lazy("archgen.graph", "networkx",
         "imported only for a graph with a cycle (its import costs more than the rest of "
         "validating a small catalog); an acyclic graph is told by graphlib"),
    Lazy("archgen.rules.flows", "networkx", "only a knot of reactions needs its cycles"),
    Lazy("archgen.rules.base", "difflib", _COLD),
    Lazy("archgen.rules.base", "textwrap", _COLD),
    Lazy("archgen.reporting.machine", "archgen.reporting.common", _COLD),
    Lazy("archgen.suppression", "yaml", _COLD),
    Lazy("archgen.schema_errors", "archgen.model",
         "the JSON schema is built only when a schema error is explained"),
    Lazy("archgen.model.deployment", "keyword", "used by one name rule only"),
    Lazy("archgen.model.deployment", "sys", "used by one name rule only"),
    Lazy("archgen.formatting", "ruff", "ruff is run only when a Python file is generated"),
    Lazy("archgen.writer.fastpath", "archgen", "the code fingerprint reads the package files"),
    Lazy("archgen.writer.fastpath", "yaml", _COLD),
    Lazy("archgen.writer.cache", "archgen.writer.journal",
         "the journal imports the cache: a top-level import would be a cycle"),
    Lazy("archgen.generators.diagrams", "diagrams", "the diagrams library is slow to import"),
    Lazy("archgen.generators.diagrams", "graphviz", "only PNG and SVG need graphviz"),
    Lazy("archgen.generators.diagrams.generator", "archgen.output",
         "the registry in archgen.generators imports this package first"),
    Lazy("archgen.generators.diagrams.views", "archgen.generators.diagrams.contexts",
         "the two views modules use each other: a top-level import would be a cycle"),
    Lazy("archgen.generators.diagrams.contexts", "archgen.generators.diagrams.views",
         "the two views modules use each other: a top-level import would be a cycle"),
    Lazy("archgen.generators.diagrams.flows", "archgen.generators.diagrams.event_contexts",
         "the per-context event views use the flat one: a top-level import would be a cycle"),
    Lazy("archgen.generators.exports", "archgen.generators.exports",
         "an export's renderer loads only when that export runs"),
    Lazy("archgen.generators.gateway.envoy", "urllib", "only a jwks_uri needs parsing"),
    Lazy("archgen.generators.services", "cookiecutter",
         "cookiecutter is imported only for a team's own template"),
    Lazy("archgen.generators.services.build", "archgen.model.resolved", _COLD),
    Lazy("archgen.generators.services.sandbox", "jinja2",
         "the sandbox is built only for untrusted templates"),
    Lazy("archgen.drift", "aiokafka", _EXTRA),
    Lazy("archgen.drift.events", "archgen.generators.asyncapi",
         "the event schemas are built only when messages are sampled"),
    Lazy("archgen.drift.target", "archgen.drift.broker", _EXTRA),
    Lazy("archgen.drift.target", "archgen.runtime.state",
         "only the `up` target reads the running system's state"),
    Lazy("archgen.runtime", "aiokafka", _EXTRA),
    Lazy("archgen.runtime", "cryptography", _EXTRA),
    Lazy("archgen.runtime", "jwt", _EXTRA),
    Lazy("archgen.runtime", "httpx", _EXTRA),
    Lazy("archgen.runtime", "uvicorn", _EXTRA),
    Lazy("archgen.runtime", "envoy", _EXTRA),
    Lazy("archgen.runtime", "rich", "rich loads only when a table or live view is shown"),
    Lazy("archgen.runtime", "importlib", "a wheel's files are found only when a part starts"),
    Lazy("archgen.runtime.pgdata", "pwd", "POSIX only, and only to drop privileges"),
    Lazy("archgen.runtime.procs", "pwd", "POSIX only, and only to drop privileges"),
    Lazy("archgen.runtime.pgdata", "ctypes", "only to release PostgreSQL's shared memory"),
    Lazy("archgen.runtime.instance", "archgen.catalog",
         "`ps`, `logs` and `down` load the catalog only without -o"),
    Lazy("archgen.runtime.instance", "archgen.errors", _COLD),
    Lazy("archgen.runtime.loadtest", "archgen.runtime.console", "rich: only to print"),
    Lazy("archgen.runtime.smoke", "archgen.runtime", _EXTRA),
    Lazy("archgen.runtime.reaper", "archgen.runtime.pgdata", _COLD),
    Lazy("archgen.runtime.teardown", "archgen.runtime.reaper", _COLD),
    Lazy("archgen.runtime.state", "archgen.runtime.procs", _COLD),
    Lazy("archgen.runtime.standby", "archgen.files", _COLD),
    Lazy("archgen.runtime.runner", "archgen.runtime.dashboard",
         "the dashboard's web app loads only when `up` serves it"),
    Lazy("archgen.runtime.dashboard.server", "archgen.runtime", _COLD),
    Lazy("archgen.runtime.dashboard.otlp", "google.protobuf", _EXTRA),
    Lazy("archgen.runtime.dashboard.otlp", "opentelemetry", _EXTRA),
    Lazy("archgen.pipeline", "archgen.runtime.dashboard",
         "the dashboard's views are built only for `up`"),
    # Last: the first entry that holds an import counts, and this one holds all of archgen.
    Lazy("archgen", "importlib", "the package's attributes load their module on first use"),
)


def within(module: str, prefix: str) -> bool:
    """Whether `module` is `prefix` or below it ("*" holds everything)."""
    return prefix in ("*", module) or module.startswith(prefix + ".")


def package_of(module: str) -> str:
    """The layer a module belongs to: archgen.<first part> (a subpackage or a module)."""
    return ".".join(module.split(".")[:2])
