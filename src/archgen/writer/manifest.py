"""The manifest (`.archgen-manifest.json`): what archgen wrote, by path.

Format 2 records per file its sha256, generator, ownership (managed or
scaffold), whether it is executable and whether it is reproducible. Format 1
(no ownership, no mode) is read as all-managed, not executable; the next write
saves format 2. An optional `inputs` key holds the fingerprint of what fed the
last clean run (writer/fastpath.py); readers that do not know it ignore it, and
every write by the writer drops it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring
from pathlib import Path

from archgen.errors import OutputError
from archgen.output import Ownership
from archgen.writer.paths import MANIFEST

MANIFEST_FORMAT = 2
READABLE_FORMATS = (1, 2)


@dataclass(frozen=True, slots=True)
class Entry:
    sha256: str
    generator: str
    reproducible: bool = True
    ownership: Ownership = Ownership.MANAGED
    executable: bool = False

    def as_json(self) -> dict[str, object]:
        return {"sha256": self.sha256, "generator": self.generator,
                "reproducible": self.reproducible, "ownership": self.ownership.value,
                "executable": self.executable}


Manifest = dict[str, Entry]


def entry_from_json(data: Mapping[str, object]) -> Entry:
    ownership = Ownership(str(data.get("ownership", Ownership.MANAGED.value)))
    return Entry(str(data["sha256"]), str(data["generator"]),
                 bool(data.get("reproducible", True)), ownership,
                 bool(data.get("executable", False)))


def read_manifest(root: Path) -> Manifest:
    return read_with_inputs(root)[0]


def read_with_inputs(root: Path) -> tuple[Manifest, str | None]:
    """The manifest and its `inputs` fingerprint (None if absent), from one read."""
    path = root / MANIFEST
    try:
        if not path.exists():
            return {}, None
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") not in READABLE_FORMATS:
            raise ValueError(f"format {data.get('format')!r}; this archgen reads "
                             f"{', '.join(map(str, READABLE_FORMATS))}")
        inputs = data.get("inputs")
        return ({str(p): entry_from_json(e) for p, e in data["files"].items()},
                inputs if isinstance(inputs, str) else None)
    except PermissionError as exc:
        raise OutputError(f"{path}: cannot read it ({exc.strerror})") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise OutputError(f"{path} is not a manifest archgen can read ({exc})",
                          "restore it from version control, or delete it: archgen then "
                          "treats every existing file as yours and overwrites none") from None


def read_inputs(root: Path) -> str | None:
    """The manifest's `inputs` fingerprint; None when absent or unreadable (never an error:
    without it generate simply takes the full path)."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    inputs = data.get("inputs") if isinstance(data, dict) else None
    return inputs if isinstance(inputs, str) else None


def manifest_text(manifest: Mapping[str, Entry], inputs: str | None = None) -> str:
    """`json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)`, byte for
    byte, built line by line: json's indenting encoder is pure Python and took over a
    second per write of the 55,000 entries of 2,000 services."""
    quote = encode_basestring
    entries = [
        f"    {quote(path)}: {{\n"
        f"      \"executable\": {'true' if e.executable else 'false'},\n"
        f"      \"generator\": {quote(e.generator)},\n"
        f"      \"ownership\": {quote(e.ownership.value)},\n"
        f"      \"reproducible\": {'true' if e.reproducible else 'false'},\n"
        f"      \"sha256\": {quote(e.sha256)}\n"
        "    }"
        for path, e in sorted(manifest.items())]
    files = "{\n" + ",\n".join(entries) + "\n  }" if entries else "{}"
    tail = f",\n  \"inputs\": {quote(inputs)}" if inputs is not None else ""
    return (f"{{\n  \"files\": {files},\n  \"format\": {json.dumps(MANIFEST_FORMAT)},\n"
            f"  \"generated_by\": \"archgen\"{tail}\n}}\n")
