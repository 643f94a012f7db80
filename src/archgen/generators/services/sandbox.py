"""A cookiecutter template rendered without running any of its code.

cookiecutter renders with plain Jinja (`{{ cycler.__init__.__globals__.os }}` reaches
the `os` module), runs Python hooks, and imports the `_extensions` a template names:
a catalog that points at a template would run its author's code on `generate`,
`--check` and `--dry-run`. Here the same layout renders in Jinja's sandbox, with
cookiecutter's own default extensions only; a template that needs hooks or
extensions renders only when the user trusts it (`--trust-templates`).
"""

from __future__ import annotations

import fnmatch
import functools
import json
from pathlib import Path, PurePosixPath
from typing import Any

# cookiecutter's default extensions (jsonify, random_ascii_string, slugify, now, uuid4):
# they import nothing of the template's.
_DEFAULT_EXTENSIONS = (
    "cookiecutter.extensions.JsonifyExtension",
    "cookiecutter.extensions.RandomStringExtension",
    "cookiecutter.extensions.SlugifyExtension",
    "cookiecutter.extensions.TimeExtension",
    "cookiecutter.extensions.UUIDExtension",
)


class Untrusted(Exception):
    """The template needs what only a trusted template may do; the message says what."""


def render_sandboxed(repo: Path, extra: dict[str, str]) -> list[tuple[str, str | bytes]]:
    """(path below the project folder, content) of every file the template makes."""
    from jinja2 import TemplateError

    hooks = sorted(p.name for p in (repo / "hooks").glob("*") if p.is_file())
    if hooks:
        raise Untrusted(f"it has hooks ({', '.join(hooks)}), which run Python")
    try:
        defaults = json.loads((repo / "cookiecutter.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Untrusted(f"cannot read its cookiecutter.json: {exc}") from None
    if not isinstance(defaults, dict):
        raise Untrusted("its cookiecutter.json is not an object")
    if defaults.get("_extensions"):
        raise Untrusted("it loads Jinja extensions (_extensions), which run Python")
    env = _environment()
    try:
        context = _context(env, defaults, extra)
        project = _project_dir(repo)
        copy_only = [str(p) for p in context.get("_copy_without_render", [])]
        return sorted(_render_tree(env, repo, project, context, copy_only))
    except TemplateError as exc:  # SecurityError included
        raise Untrusted(f"the sandbox refused it: {type(exc).__name__}: {exc}") from None


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    """One sandbox for every service of a run: its settings never change, and the
    templates it compiled are kept (_template), not compiled again per service."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True,
                                extensions=list(_DEFAULT_EXTENSIONS))


@functools.lru_cache(maxsize=1024)
def _template(env: Any, text: str) -> Any:
    """The compiled template of `text`: a scaffold has a dozen files and paths, and a
    system renders it once per service."""
    return env.from_string(text)


def _context(env: Any, defaults: dict[str, Any], extra: dict[str, str]) -> dict[str, Any]:
    """cookiecutter's variables in order: a choice list takes its first item; every string
    but a `_private` one is rendered against the variables before it."""
    context: dict[str, Any] = {}
    for key, default in {**defaults, **extra}.items():
        value = extra.get(key, default)
        if isinstance(value, list):
            value = value[0] if value else ""
        private = key.startswith("_") and not key.startswith("__")
        if isinstance(value, str) and not private:
            value = _template(env, value).render(cookiecutter=context)
        context[key] = value
    return context


def _project_dir(repo: Path) -> Path:
    found = [p for p in repo.iterdir() if p.is_dir() and "cookiecutter" in p.name
             and "{{" in p.name and "}}" in p.name]
    if len(found) != 1:
        raise Untrusted("it has no single {{cookiecutter.*}} project folder")
    return found[0]


def _render_tree(env: Any, repo: Path, project: Path, context: dict[str, Any],
                 copy_only: list[str]) -> list[tuple[str, str | bytes]]:
    out: list[tuple[str, str | bytes]] = []
    for path in sorted(project.rglob("*")):
        if path.is_symlink():
            raise Untrusted(f"it holds a symbolic link ({path.relative_to(repo)})")
        if not path.is_file():
            continue
        relative = path.relative_to(project).as_posix()
        parts = [_template(env, part).render(cookiecutter=context)
                 for part in relative.split("/")]
        target = PurePosixPath(*parts)
        if any(not part or part in (".", "..") or "\\" in part for part in target.parts) \
                or target.is_absolute():
            raise Untrusted(f"its path {relative!r} renders to {target.as_posix()!r}, "
                            "outside the service's folder")
        data = path.read_bytes()
        raw = path.relative_to(repo).as_posix()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # a binary file (an icon) is copied as it is
            out.append((target.as_posix(), data))
            continue
        if any(fnmatch.fnmatch(raw, pattern) for pattern in copy_only):
            out.append((target.as_posix(), text))
        else:
            out.append((target.as_posix(), _template(env, text).render(cookiecutter=context)))
    return out
