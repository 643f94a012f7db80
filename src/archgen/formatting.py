"""Post-formatting hooks: each generated file type goes through its formatter before hashing.

Formatting before the writer hashes keeps `generate --check` stable: the
manifest records the formatted bytes, so a formatter run by the team (or CI)
on managed files changes nothing. Python goes through `ruff format`, one
process for all files of a run (a process per file cost seconds at 2,000 services).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from archgen.errors import ArchgenError
from archgen.output import OutputFile

# Generated code is formatted with fixed settings, never with a config found on disk.
RUFF_FORMAT_ARGS = ("format", "--isolated", "--quiet", "--line-length", "100",
                    "--target-version", "py311")


def _ruff_binary() -> str:
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
    except ImportError:
        raise ArchgenError("ruff is missing: archgen formats the Python it generates with it",
                           "pip install ruff (it is one of archgen's dependencies)") from None
    return str(find_ruff_bin())


def format_python(texts: Sequence[str]) -> list[str]:
    """`ruff format` over many Python sources in one process; the formatted texts in order."""
    if not texts:
        return []
    with tempfile.TemporaryDirectory(prefix="archgen-format-") as tmp:
        paths = [Path(tmp) / f"f{i}.py" for i in range(len(texts))]
        for path, text in zip(paths, texts, strict=True):
            path.write_text(text, encoding="utf-8")
        done = subprocess.run([_ruff_binary(), *RUFF_FORMAT_ARGS, tmp], capture_output=True,
                              text=True, check=False)
        if done.returncode != 0:
            first = (done.stderr.strip().splitlines() or ["unknown error"])[0]
            raise ArchgenError(f"ruff could not format generated Python: {first}",
                               "this is a bug in a template; please report it")
        return [path.read_text(encoding="utf-8") for path in paths]


FORMATTERS: dict[str, Callable[[Sequence[str]], list[str]]] = {".py": format_python}


def post_format(files: Sequence[OutputFile]) -> list[OutputFile]:
    """`files` with every text file of a known type run through its formatter."""
    out = list(files)
    for suffix, formatter in FORMATTERS.items():
        chosen = [i for i, f in enumerate(out)
                  if f.path.endswith(suffix) and isinstance(f.content, str)]
        formatted = formatter([str(out[i].content) for i in chosen])
        for i, text in zip(chosen, formatted, strict=True):
            out[i] = replace(out[i], content=text)
    return out
