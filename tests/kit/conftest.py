"""The service kit as a generated system gets it, importable in the test process."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archgen.generators.services.kit import KIT_FOLDER, kit_files


@pytest.fixture(scope="session")
def kit_src(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """services/_kit/src of a fresh kit, first on sys.path for the session."""
    out = tmp_path_factory.mktemp("kit")
    for file in kit_files("services"):
        path = out / file.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(str(file.content), encoding="utf-8")
    src = out / "services" / KIT_FOLDER / "src"
    sys.path.insert(0, str(src))
    yield src
    sys.path.remove(str(src))
