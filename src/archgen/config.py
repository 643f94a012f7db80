"""Rule configuration: archgen.toml or [tool.archgen], the environment, the command line.

Precedence (docs/architecture.md): command line > environment (`ARCHGEN_*`) >
config file > the catalog's own `rules:` block. The file is found by walking up
from the catalog: in each directory `archgen.toml` first, then a
`pyproject.toml` that has a `[tool.archgen]` table. Unknown keys and unknown
rule codes are configuration errors (exit 2), never silently ignored.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from archgen.errors import UsageError

FAIL_ON = ("error", "warning", "info", "none")
LEVELS = ("error", "warning", "info", "off")
KEYS = ("select", "ignore", "extend-select", "severity", "fail-on", "baseline",
        "per-file-ignores")
ENV_KEYS = {"ARCHGEN_SELECT": "select", "ARCHGEN_IGNORE": "ignore",
            "ARCHGEN_FAIL_ON": "fail-on", "ARCHGEN_BASELINE": "baseline"}


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    fail_on: str = "error"
    baseline: Path | None = None
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""  # the config file the settings came from, for messages

    def ignores_for(self, file: str) -> tuple[str, ...]:
        """Global ignores plus those of every per-file glob matching `file`."""
        extra = [s for pattern, sels in self.per_file_ignores.items()
                 if fnmatch.fnmatch(file, pattern) or fnmatch.fnmatch(Path(file).name, pattern)
                 for s in sels]
        return (*self.ignore, *extra)


def find_config(catalog: Path) -> Path | None:
    """archgen.toml or a pyproject.toml with [tool.archgen], upward from the catalog's folder."""
    start = catalog.resolve().parent
    for folder in (start, *start.parents):
        candidate = folder / "archgen.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "archgen" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the configuration ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None


def load_file(path: Path) -> dict[str, Any]:
    """The archgen table of a config file, checked: unknown keys are an error."""
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("archgen", {})
    if not isinstance(data, dict):
        raise UsageError(f"{path}: [tool.archgen] must be a table")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise UsageError(f"{path}: unknown configuration key(s): {', '.join(unknown)}",
                         f"known keys: {', '.join(KEYS)}")
    if "baseline" in data and isinstance(data["baseline"], str):
        data["baseline"] = str(path.parent / data["baseline"])
    return data


def from_env(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for var, key in ENV_KEYS.items():
        value = env.get(var, "").strip()
        if value:
            out[key] = _split(value) if key in ("select", "ignore") else value
    return out


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(_split(value))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: `{key}` must be a list of rule codes, slugs or prefixes")
    return tuple(value)


def apply_layer(settings: Settings, layer: Mapping[str, Any], where: str) -> Settings:
    """Lay one source of settings (file, environment, command line) over the previous ones."""
    changes: dict[str, Any] = {}
    if "select" in layer:
        changes["select"] = _strings(layer["select"], "select", where)
    if "extend-select" in layer:
        base = changes.get("select", settings.select) or ("ALL",)
        changes["select"] = (*base, *_strings(layer["extend-select"], "extend-select", where))
    if "ignore" in layer:
        changes["ignore"] = (*settings.ignore, *_strings(layer["ignore"], "ignore", where))
    if "severity" in layer:
        changes["severity"] = {**settings.severity, **_severity(layer["severity"], where)}
    if "fail-on" in layer:
        if layer["fail-on"] not in FAIL_ON:
            raise UsageError(f"{where}: fail-on must be one of {', '.join(FAIL_ON)}")
        changes["fail_on"] = layer["fail-on"]
    if layer.get("baseline"):
        changes["baseline"] = Path(str(layer["baseline"]))
    if "per-file-ignores" in layer:
        table = layer["per-file-ignores"]
        if not isinstance(table, dict):
            raise UsageError(f"{where}: per-file-ignores must be a table of glob = [codes]")
        changes["per_file_ignores"] = {str(k): _strings(v, f"per-file-ignores.{k}", where)
                                       for k, v in table.items()}
    new = replace(settings, **changes)
    check_selectors(new, where)
    return new


def _severity(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(v in LEVELS for v in value.values()):
        raise UsageError(f"{where}: severity must map rule codes to one of {', '.join(LEVELS)}")
    return {str(k): str(v) for k, v in value.items()}


def check_selectors(settings: Settings, where: str) -> None:
    from archgen.rules import matches

    names = [*settings.select, *settings.ignore, *settings.severity,
             *(s for sels in settings.per_file_ignores.values() for s in sels)]
    unknown = [n for n in names if not matches(n)]
    if unknown:
        raise UsageError(f"{where}: unknown rule code(s) or slug(s): {', '.join(unknown)}",
                         "see `archgen rules` for the list")


def resolve(catalog: Path, cli: Mapping[str, Any], env: Mapping[str, str], *,
            config: Path | None = None, isolated: bool = False) -> Settings:
    """The settings for one catalog: file (unless isolated) < environment < command line."""
    settings = Settings()
    isolated = isolated or env.get("ARCHGEN_ISOLATED", "").lower() in ("1", "true", "yes")
    path = config if config is not None else (None if isolated else find_config(catalog))
    if config is None and not isolated and env.get("ARCHGEN_CONFIG"):
        path = Path(env["ARCHGEN_CONFIG"])
    if path is not None:
        if not path.is_file():
            raise UsageError(f"{path}: configuration file not found")
        settings = replace(apply_layer(settings, load_file(path), str(path)), source=str(path))
    settings = apply_layer(settings, from_env(env), "environment")
    return apply_layer(settings, cli, "command line")
