"""Documentation of the codes that are not rules: loading and schema (AG0xx), suppression (AG9xx).

The loader and the model emit AG0xx themselves; validation emits AG9xx about
suppressions. They are listed here so that `archgen rule CODE` documents every
code a user can see, and so that selection and severity overrides know them.
"""

from __future__ import annotations

from archgen.findings import Severity
from archgen.rules.base import CONFIG, LOADING, Rule

_H = "archgen: 1\nsystem: {name: shop}\n"
_OK = _H + "services: {a: {}}\n"


def _doc(code: str, slug: str, title: str, severity: Severity, explanation: str, fix: str,
         bad: str = "", good: str = "", section: str = LOADING) -> Rule:
    return Rule(code, slug, title, severity, section, explanation, fix, bad, good)


LOADER_CODES: tuple[Rule, ...] = (
    _doc("AG001", "yaml-syntax", "The file is not valid YAML", Severity.ERROR,
         "The YAML parser stopped here. Nothing after a syntax error can be checked.",
         "Fix the syntax at the position shown; inside {...} quote types like \"list[T]\".",
         _H + "services: {a: {response: list[Order]}\n", _OK),
    _doc("AG002", "duplicate-key", "A key appears twice in one mapping", Severity.ERROR,
         "PyYAML silently keeps the last of two equal keys; archgen reports both positions, "
         "because the data is then not what the author wrote.",
         "Remove or rename one of the two keys.",
         _H + "services:\n  a: {}\n  a: {}\n", _OK),
    _doc("AG003", "input-too-large", "The file is too large or too deeply nested",
         Severity.ERROR, "Size, node count (alias bombs) and nesting depth are capped so that "
         "a hostile file cannot exhaust memory.", "Split the catalog or remove repeated aliases."),
    _doc("AG004", "encoding", "The file is not UTF-8 text", Severity.ERROR,
         "Catalogs are UTF-8 (or UTF-16/32 with a BOM); binary data and control characters are "
         "refused.", "Save the file as UTF-8."),
    _doc("AG005", "yaml11-boolean", "A plain word reads as a boolean (YAML 1.1)",
         Severity.WARNING, "YAML 1.1 reads yes, no, on, off, y, n as booleans: `region: no` is "
         "False, not Norway.", "Quote the value if you meant the text.",
         _H + "services: {a: {description: no}}\n", _H + "services: {a: {description: 'no'}}\n"),
    _doc("AG006", "yaml11-number", "A plain value reads as a different number (YAML 1.1)",
         Severity.WARNING, "`1.10` reads as 1.1, `1:30` as 90 (sexagesimal), `0755` as octal.",
         "Quote the value if you meant the text.",
         _H + "system: {name: shop, version: 1.10}\nservices: {a: {}}\n",
         _H.replace("{name: shop}", "{name: shop, version: '1.10'}") + "services: {a: {}}\n"),
    _doc("AG008", "unsupported-yaml", "A YAML feature catalogs do not use", Severity.ERROR,
         "Several documents, custom tags and complex keys are refused: a catalog is one "
         "document of plain strings, numbers, lists and mappings.",
         "Remove the tag, the `---` separator or the complex key.",
         _H + "services: {a: !!python/object {}}\n", _OK),
    _doc("AG009", "part-skipped", "A part of the catalog was not checked by the rules",
         Severity.INFO, "When a service or a section has schema errors, the rules still run "
         "on every valid part, in the same run. The invalid part is skipped whole, so that no "
         "finding rests on a value the loader rejected: references to a skipped service are "
         "not reported as unknown, and rules that need the skipped part whole (they conclude "
         "from absence, such as unreachable services) do not run. This notice says what was "
         "skipped, why, and which rules did not run.",
         "Fix the errors of the part; its rule findings appear in the next run.",
         _H + "services:\n  a: {nfr: {replicas: 2}}\n  b: {}\n", _OK),
    _doc("AG010", "unknown-key", "A key the format does not know", Severity.ERROR,
         "Unknown keys are errors (with a did-you-mean hint) so that typos do not pass "
         "silently; keys starting with `x-` are extensions and always allowed.",
         "Fix the spelling, or prefix the key with `x-`.",
         _H + "services: {a: {bounded_contxt: Orders}}\n", _H + "services: {a: {x-note: ok}}\n"),
    _doc("AG011", "wrong-type", "A value has the wrong type", Severity.ERROR,
         "The format expects a string, number, list or mapping here; the message names "
         "the keys of an expected mapping and the short forms the value may take.",
         "Write the value in the type shown.",
         _H + "services: {a: {nfr: {replicas: 2}}}\n",
         _H + "services: {a: {nfr: {replicas: {min: 2, max: 4}}}}\n"),
    _doc("AG012", "missing-key", "A required key is missing", Severity.ERROR,
         "Only `archgen`, `system` (with `name`) and `services` are required to load.",
         "Add the key named in the message.", "archgen: 1\nsystem: {name: shop}\n", _OK),
    _doc("AG013", "invalid-name", "A name breaks the naming rules", Severity.ERROR,
         "Services, topics and stores are DNS labels; events are <entity>.<verb>; models are "
         "PascalCase.", "Rename it as the message says.",
         _H + "services: {Order_Service: {}}\n", _H + "services: {order-service: {}}\n"),
    _doc("AG014", "invalid-value", "A value is out of range or malformed", Severity.ERROR,
         "Percentages, durations, quantities, rates and enums are checked when loading.",
         "Write a value in the form the message shows.",
         _H + "services: {a: {nfr: {availability: 120}}}\n",
         _H + "services: {a: {nfr: {availability: 99.9}}}\n"),
    _doc("AG015", "format-version", "Unknown catalog format version", Severity.ERROR,
         "`archgen:` states the catalog format; this archgen reads format 1.",
         "Write `archgen: 1`.", "archgen: 7\nsystem: {name: shop}\nservices: {a: {}}\n", _OK),
)

META_CODES: tuple[Rule, ...] = (
    _doc("AG900", "suppression-without-reason", "A suppression gives no reason",
         Severity.WARNING, "Every suppression says why (`# archgen: ignore[AG301] -- reason`, "
         "`reason:` in `rules.ignore`, a string in `x-archgen-ignore`), so a reviewer can judge "
         "it later.", "Add the reason after ` -- `.", section=CONFIG),
    _doc("AG901", "suppression-expired", "A suppression is past its `until` date",
         Severity.WARNING, "A suppression with `until: DATE` stops applying after that date; "
         "the findings it hid are reported again.", "Fix the findings, or extend the date "
         "with a new reason.", section=CONFIG),
    _doc("AG902", "suppression-unused", "A suppression suppresses nothing", Severity.WARNING,
         "A suppression no finding needs is stale: the problem was fixed or the code is wrong. "
         "Stale suppressions hide future problems.", "Remove the suppression.",
         section=CONFIG),
    _doc("AG903", "unknown-rule-reference", "A suppression or setting names an unknown rule",
         Severity.ERROR, "A code or slug in `rules:`, `x-archgen-ignore` or an inline comment "
         "that is not a rule does nothing.", "Fix the code (see `archgen rules`).",
         section=CONFIG),
)
