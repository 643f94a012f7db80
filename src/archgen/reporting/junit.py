"""JUnit XML: one test case per rule and entity, passes included.

Entities are the services (findings under `services.<name>`) plus `system` for
everything else. An error is a <failure>; warnings and infos pass but keep
their text in <system-out> (Spectral drops them); suppressed findings are
<skipped> with the justification.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from archgen.findings import Finding, Severity
from archgen.reporting.common import RunResult, finding_line
from archgen.suppression import Suppressed
from archgen.validation import FileReport

SYSTEM = "system"


def entity(f: Finding) -> str:
    pointer = f.location.pointer
    if len(pointer) >= 2 and pointer[0] == "services":
        return str(pointer[1])
    return SYSTEM


def _entities(report: FileReport) -> list[str]:
    catalog = report.load.catalog if report.load else None
    names = list(catalog.services) if catalog else []
    return [SYSTEM, *names]


def _suite(report: FileReport) -> ET.Element:
    by_case: dict[tuple[str, str], list[Finding]] = {}
    for f in report.findings:
        by_case.setdefault((f.code, entity(f)), []).append(f)
    skipped: dict[tuple[str, str], list[Suppressed]] = {}
    for x in report.suppressed:
        skipped.setdefault((x.finding.code, entity(x.finding)), []).append(x)
    from archgen.rules import RULES

    cases = {(c, e) for c in report.enabled if c in RULES for e in _entities(report)}
    cases |= set(by_case) | set(skipped)
    suite = ET.Element("testsuite", name=report.file)
    failures = 0
    for code, ent in sorted(cases):
        case = ET.SubElement(suite, "testcase", classname=code, name=f"{code} {ent}",
                             file=report.file)
        found = by_case.get((code, ent), [])
        errors = [f for f in found if f.severity is Severity.ERROR]
        if errors:
            failures += 1
            failure = ET.SubElement(case, "failure", message=errors[0].message, type=code)
            failure.text = "\n".join(finding_line(f) for f in errors)
        elif (code, ent) in skipped:
            ET.SubElement(case, "skipped", message=skipped[(code, ent)][0].justification)
        others = [f for f in found if f.severity is not Severity.ERROR]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(finding_line(f) for f in others)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(1 for c in cases if c in skipped and not any(
        f.severity is Severity.ERROR for f in by_case.get(c, [])))))
    return suite


def render_junit(run: RunResult) -> str:
    root = ET.Element("testsuites", name="archgen")
    for report in run.reports:
        root.append(_suite(report))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
