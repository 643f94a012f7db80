"""Where the shipped data lives: `templates/` and `blueprints/`.

In a wheel they are force-included under `archgen/_data/`; in a source checkout
(editable install, tests) they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

from archgen.errors import ArchgenError

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder of shipped data called `name` (``templates`` or ``blueprints``)."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise ArchgenError(f"archgen's {name} folder is missing from this installation",
                       "reinstall archgen")


def blueprint_names() -> list[str]:
    return sorted(p.name for p in data_dir("blueprints").iterdir()
                  if (p / "catalog.yaml").is_file())


def blueprint_catalog(name: str) -> Path:
    names = blueprint_names()
    if name not in names:
        raise ArchgenError(f"no blueprint called {name!r}", f"choose one of: {', '.join(names)}")
    return data_dir("blueprints") / name / "catalog.yaml"
