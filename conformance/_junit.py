"""JUnit XML for CI systems: one test case per case and interpreter (check), one per finding
(fuzz); differing fields as the failure message, skipped and unsupported as skipped."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance._files import write_text

__all__ = ["check_junit", "fuzz_junit"]


def _suite(parent, name: str, cases: list[ET.Element], seconds: float) -> ET.Element:
    suite = ET.SubElement(parent, "testsuite", name=name, tests=str(len(cases)),
                          failures=str(sum(1 for c in cases if c.find("failure") is not None)),
                          errors=str(sum(1 for c in cases if c.find("error") is not None)),
                          skipped=str(sum(1 for c in cases if c.find("skipped") is not None)),
                          time="%.3f" % seconds)
    suite.extend(cases)
    return suite


def _write(root: ET.Element, path: str | Path) -> None:
    root.set("tests", str(sum(int(s.get("tests")) for s in root)))
    root.set("failures", str(sum(int(s.get("failures")) for s in root)))
    root.set("errors", str(sum(int(s.get("errors")) for s in root)))
    root.set("skipped", str(sum(int(s.get("skipped")) for s in root)))
    write_text(path, ET.tostring(root, encoding="utf-8", xml_declaration=True).decode("utf-8"))


def _fields(divergence, limit: int = 20) -> str:
    lines = ["%s: target %r, reference %r" % (d.path, d.target, d.reference) for d in divergence.differences[:limit]]
    if len(divergence.differences) > limit:
        lines.append("... %d more" % (len(divergence.differences) - limit))
    return "\n".join(lines)


def check_junit(path: str | Path, assessments: list, target: str, reference: str, seconds: float) -> None:
    """Write `check`'s verdicts as assessed (conformance._expectations.Assessment) as JUnit XML: a suite per
    interpreter, a test case per case (classname the interpreter, name the case id)."""
    root = ET.Element("testsuites", name="importlib-conformance %s vs %s" % (target, reference))
    by_interpreter: dict[str, list[ET.Element]] = {}
    for assessment in assessments:
        verdict = assessment.verdict
        case = ET.Element("testcase", classname=verdict.interpreter, name=verdict.case_id, time="0")
        if assessment.kind == "unexpected":
            if verdict.status == "error":
                ET.SubElement(case, "error", message=verdict.note[:200]).text = verdict.note
            else:
                fields = ", ".join(d.path for d in verdict.divergence.differences[:6]) if verdict.divergence else ""
                message = assessment.message or ("differs: " + fields)
                failure = ET.SubElement(case, "failure", message=message[:500])
                failure.text = (message + "\n" if assessment.message else "") + (
                    _fields(verdict.divergence) if verdict.divergence else "")
        elif assessment.kind == "expected":
            ET.SubElement(case, "skipped", message="expected failure: %s" % assessment.message)
        elif verdict.status in ("skipped", "unsupported"):
            ET.SubElement(case, "skipped", message=verdict.status + (": " + verdict.note if verdict.note else ""))
        by_interpreter.setdefault(verdict.interpreter, []).append(case)
    for interpreter, cases in by_interpreter.items():
        _suite(root, interpreter, cases, seconds / max(1, len(by_interpreter)))
    _write(root, path)


def fuzz_junit(path: str | Path, findings: list, target: str, reference: str, seconds: float,
               cases_run: int) -> None:
    """Write a fuzz campaign as JUnit XML: a failing test case per finding, or one passing
    test case for a campaign that found nothing."""
    root = ET.Element("testsuites", name="importlib-conformance fuzz %s vs %s" % (target, reference))
    cases = []
    for finding in findings:
        case = ET.Element("testcase", classname="fuzz", name="%s %s" % (finding.slug, finding.signature[0]), time="0")
        failure = ET.SubElement(case, "failure", message="differs: " + ", ".join(finding.signature[1])[:500])
        failure.text = _fields(finding.divergence)
        cases.append(case)
    if not cases:
        cases.append(ET.Element("testcase", classname="fuzz", name="campaign (%d cases)" % cases_run,
                                time="%.3f" % seconds))
    _suite(root, "fuzz", cases, seconds)
    _write(root, path)
