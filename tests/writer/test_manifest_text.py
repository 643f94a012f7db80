"""The manifest's text is json.dumps(indent=2, sort_keys=True) of its document, byte
for byte (committed manifests must not change), written without json's slow
indenting encoder (55,000 entries at 2,000 services)."""

from __future__ import annotations

import json

from archgen.output import Ownership
from archgen.writer.manifest import MANIFEST_FORMAT, Entry, manifest_text

ODD = ["plain.txt", "ü/ñame.py", 'quote"and\\slash', "tab\there", "\u2028line", "é\U0001f600",
       "ctl\x01"]


def reference(manifest: dict[str, Entry], inputs: str | None) -> str:
    doc: dict[str, object] = {"format": MANIFEST_FORMAT, "generated_by": "archgen",
                              "files": {p: e.as_json() for p, e in sorted(manifest.items())}}
    if inputs is not None:
        doc["inputs"] = inputs
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_text_is_json_dumps_with_indent_byte_for_byte() -> None:
    manifest = {path: Entry(f"sha-{i}", f"gen\"{i}", i % 2 == 0,
                            Ownership.SCAFFOLD if i % 3 else Ownership.MANAGED, i % 2 == 1)
                for i, path in enumerate(ODD)}
    for inputs in (None, "sha256:abc", 'odd "inputs" ü'):
        assert manifest_text(manifest, inputs) == reference(manifest, inputs)
    assert manifest_text({}, None) == reference({}, None)
