"""Planning per service: a run re-renders only the services whose inputs changed.

Each service's files (its runnable service, its OpenAPI document) are planned on
a fingerprint of what they read (generators/inputs.py). These tests hold that to
two promises: a one-service change renders and rewrites only that service (and
the services that call it, whose typed clients show it, and the system-wide
files), and an incremental run leaves exactly the tree a full run makes, for
every kind of change a fingerprint must see.
"""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from archgen.generators.openapi import OpenApiGenerator
from archgen.generators.services import ServicesGenerator
from archgen.writer.paths import CACHE
from bench.synth import write_catalog
from tests.helpers import run_archgen

# Diagrams and docs are left out: they draw every service (their own planning is elsewhere).
KINDS = "openapi,asyncapi,services,compose,gateway,aggregator,helm,mesh,observability"
_CHANGE = re.compile(r"^(create|update|delete) (\S+)", re.MULTILINE)


def generate(catalog: Path, out: Path) -> str:
    run = run_archgen("generate", str(catalog), "-o", str(out), "--only", KINDS)
    assert run.code == 0, run.out + run.err
    return run.out


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != CACHE}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """A 12-service catalog and its generated folder (copied by each test: runs are slow)."""
    folder = tmp_path_factory.mktemp("incremental")
    catalog = write_catalog(12, folder / "catalog.yaml", seed=3)
    data = yaml.safe_load(catalog.read_text(encoding="utf-8"))
    catalog.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")  # as below
    generate(catalog, folder / "out")
    return data, folder / "out"


def prepared(tmp_path: Path, base: tuple[dict[str, Any], Path],
             change: Callable[[dict[str, Any]], None]) -> tuple[Path, Path]:
    data, out = base
    changed = copy.deepcopy(data)
    change(changed)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    shutil.copytree(out, tmp_path / "out")
    return catalog, tmp_path / "out"


def bump_max_length(data: dict[str, Any]) -> None:
    data["services"]["order-service"]["models"]["Order"]["name"]["max_length"] += 1


def callers_of(data: dict[str, Any], callee: str) -> set[str]:
    return {name for name, svc in data["services"].items()
            if callee in (svc.get("depends_on") or {})}


def test_a_one_service_change_renders_and_rewrites_only_that_service(
        tmp_path: Path, base: tuple[dict[str, Any], Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A spy on the real render methods (they run as they are) names what was rendered."""
    rendered: list[str] = []
    for cls, method in ((ServicesGenerator, "_service"), (OpenApiGenerator, "_document")):
        real = getattr(cls, method)

        def spy(self: Any, ctx: Any, name: str, real: Any = real, kind: str = method) -> Any:
            rendered.append(f"{kind}:{name}")
            return real(self, ctx, name)

        monkeypatch.setattr(cls, method, spy)
    catalog, out = prepared(tmp_path, base, bump_max_length)
    text = generate(catalog, out)
    allowed = {"order-service"} | callers_of(base[0], "order-service")
    assert "_service:order-service" in rendered and "_document:order-service" in rendered
    assert {r.split(":")[1] for r in rendered} <= allowed, (rendered, text)
    assert len(allowed) < len(base[0]["services"])  # the test means something
    changed = [path for _, path in _CHANGE.findall(text)]
    assert "openapi/order-service.yaml" in changed
    others = [p for p in changed if p.startswith(("services/", "openapi/"))
              and p.split("/")[1].removesuffix(".yaml") not in allowed | {"gateway"}]
    assert others == []


def _set_version(data: dict[str, Any]) -> None:
    data["system"]["version"] = "9.9.9"


def _callee_model(data: dict[str, Any]) -> None:
    callee = next(iter(d for svc in data["services"].values()
                       for d in (svc.get("depends_on") or {})))
    models = data["services"][callee]["models"]
    first = next(iter(models))
    models[first]["extra_note"] = "str"


def _topic(data: dict[str, Any]) -> None:
    topic = data["event_bus"]["topics"]["order-events"]
    topic["key"] = "occurred_at"
    topic["partitions"] = 3


def _payload(data: dict[str, Any]) -> None:
    payload = data["services"]["order-service"]["publishes"]["order.created"]["payload"]
    payload["note"] = "str"


def _port(data: dict[str, Any]) -> None:
    data["services"]["order-service"]["port"] = 8123


def _new_service(data: dict[str, Any]) -> None:
    services = data["services"]
    services["zeta-service"] = {**services["order-service"], "publishes": {}}


def _gone_service(data: dict[str, Any]) -> None:
    last = sorted(n for n in data["services"] if not callers_of(data, n))[-1]
    del data["services"][last]


@pytest.mark.parametrize("change", [bump_max_length, _set_version, _callee_model, _topic,
                                    _payload, _port, _new_service, _gone_service])
def test_an_incremental_run_makes_the_tree_a_full_run_makes(
        tmp_path: Path, base: tuple[dict[str, Any], Path],
        change: Callable[[dict[str, Any]], None]) -> None:
    """The reference: the same folder without its cache, where every unit is rendered."""
    catalog, out = prepared(tmp_path, base, change)
    full = tmp_path / "full"
    shutil.copytree(out, full)
    (full / CACHE).unlink()
    generate(catalog, out)
    generate(catalog, full)
    assert tree(out) == tree(full)


def test_a_service_file_edited_or_removed_is_rendered_again(
        tmp_path: Path, base: tuple[dict[str, Any], Path]) -> None:
    """A unit is skipped only when its files are on disk as written."""
    catalog, out = prepared(tmp_path, base, lambda data: None)
    (out / "openapi/order-service.yaml").write_text("edited\n", encoding="utf-8")
    (out / "services/order-service/Dockerfile").unlink()
    run = run_archgen("generate", str(catalog), "-o", str(out), "--only", KINDS)
    assert run.code == 1  # the edit is kept, and said
    text = run.out
    assert "create services/order-service/Dockerfile" in text
    assert "skip openapi/order-service.yaml" in text  # your edit: reported, kept


def test_only_rendered_python_is_formatted_in_one_call(
        tmp_path: Path, base: tuple[dict[str, Any], Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """ruff runs once per run, on the files of the services rendered, no other."""
    from archgen import formatting

    calls: list[int] = []
    real = formatting.FORMATTERS[".py"]

    def counting(texts: Any) -> list[str]:
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setitem(formatting.FORMATTERS, ".py", counting)
    catalog, out = prepared(tmp_path, base, bump_max_length)
    # Revisions written by an earlier run are kept as they are, never formatted again.
    written = set((out / "services").rglob("migrations/versions/*.py"))
    generate(catalog, out)
    rendered = {"order-service"} | callers_of(base[0], "order-service")
    python = [p for p in (out / "services").rglob("*.py")
              if p.relative_to(out / "services").parts[0] in rendered and p not in written]
    # Rendered on every run: the aggregator and the service kit (no inputs of their own).
    system_wide = [*(out / "aggregator").rglob("*.py"), *(out / "services" / "_kit").rglob("*.py")]
    assert calls == [len(python) + len(system_wide)]
    assert len(python) < len(list((out / "services").rglob("*.py"))) / 2
