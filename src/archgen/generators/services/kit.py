"""`services/_kit/`: the service kit, the runtime every generated service shares.

One managed copy per generated system, identical for every system of one archgen
version: the services pin it exactly (`archgen-service-kit==KIT_VERSION`), their
Dockerfiles build it from the services/ folder, `archgen up` puts its `src/` on
each service's PYTHONPATH. Its dependencies are the services' own, never archgen's.
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass
from pathlib import Path

from archgen.model.tables import PAGE_LIMIT, PAGE_LIMIT_MAX
from archgen.output import OutputFile
from archgen.resources import data_dir
from archgen.templating import render_inputs

# Bumped whenever the kit's code changes: a service pins the kit it was generated with.
KIT_VERSION = "1.12.3"
KIT_DISTRIBUTION = "archgen-service-kit"
KIT_PACKAGE = "archgen_service_kit"
KIT_FOLDER = "_kit"  # services/_kit/, next to the services
_TEMPLATES = "service-kit"
# What every part of the kit imports (the stores add theirs, as extras).
KIT_DEPENDENCIES = ("fastapi>=0.110", "pydantic>=2.11", "aiokafka>=0.11", "httpx>=0.27",
                    "tenacity>=8.2", "purgatory>=3.0", "prometheus-client>=0.20")
STORE_EXTRAS = {"relational": ("sqlalchemy[asyncio]>=2.0", "asyncpg>=0.29", "alembic>=1.13"),
                "key-value": ("redis>=5.0.1",), "document": ("pymongo>=4.9",)}
# What the kit's test support (testing.py) imports besides the kit's own dependencies.
TEST_DEPENDENCIES = ("jsonschema>=4.18",)
# The kit's module for each store kind (stores/<module>.py).
STORE_MODULES = {"relational": "relational", "key-value": "key_value", "document": "document",
                 "memory": "memory"}


def kit_requirement() -> str:
    return f"{KIT_DISTRIBUTION}=={KIT_VERSION}"


def kit_fingerprint() -> str:
    """What the kit's files are made of: its templates and the values they read. The
    kit is the same for every catalog, so a one-service change never re-renders it."""
    digest = hashlib.sha256(repr(astuple(_inputs())).encode())
    for relative, path in _template_files():
        digest.update(relative.encode() + b"\0" + path.read_bytes())
    return "sha256:" + digest.hexdigest()


def kit_files(generator: str) -> list[OutputFile]:
    """Every file of services/_kit/, rendered from templates/service-kit/."""
    values = _inputs()
    out = []
    for template, path in _template_files():
        if template.endswith(".jinja"):
            text = render_inputs(f"{_TEMPLATES}/{template}", values)
        else:
            text = path.read_text(encoding="utf-8")
        relative = template.removesuffix(".jinja")
        out.append(OutputFile(f"services/{KIT_FOLDER}/{relative}", text, generator))
    return out


@dataclass(frozen=True)
class KitTemplate:
    """Every name the kit's templates place: the same for every catalog."""

    kit_version: str
    kit_distribution: str
    kit_package: str
    dependencies: tuple[str, ...]
    extras: tuple[tuple[str, tuple[str, ...]], ...]  # (extra, its requirements)
    page_limit: int
    page_limit_max: int


def _inputs() -> KitTemplate:
    return KitTemplate(KIT_VERSION, KIT_DISTRIBUTION, KIT_PACKAGE, KIT_DEPENDENCIES,
                       (*STORE_EXTRAS.items(), ("test", TEST_DEPENDENCIES)), PAGE_LIMIT,
                       PAGE_LIMIT_MAX)


def _template_files() -> list[tuple[str, Path]]:
    """templates/service-kit/'s files, sorted, each with its path relative to it."""
    root = data_dir("templates") / _TEMPLATES
    return [(path.relative_to(root).as_posix(), path)
            for path in sorted(p for p in root.rglob("*") if p.is_file())]
