"""Output of a check and of a fuzz campaign: readable divergence blocks, the closing line, the JSON
reports."""
from __future__ import annotations

import json
from typing import Any

from conformance._case import Case
from conformance._check import CheckResult
from conformance._compare import Divergence, broken_by_target, step_index
from conformance._files import write_text
from conformance._worker.invariants import PROMISES

__all__ = ["describe_step", "divergence_block", "fuzz_json_report", "json_report", "write_json"]

MAX_FIELDS = 10
MAX_VALUE = 160


def _short(value: Any) -> str:
    text = value if isinstance(value, str) and value else json.dumps(value, sort_keys=True)  # "" shows as ""
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 3] + "..."


def describe_step(step: dict[str, Any]) -> str:
    """A step as a call-like one-liner: import_module(name=..x, package=pkg); strings bare,
    except the empty string ("") and other values (JSON); a threads step as its calls."""
    if step.get("op") == "threads":
        return "threads(%s)" % ", ".join(describe_step(call) for call in step.get("calls", ()))
    args = ", ".join("%s=%s" % (key, _short(value)) for key, value in step.items()
                     if key not in ("op", "comment"))
    return "%s(%s)" % (step.get("op"), args)


def divergence_block(divergence: Divergence, case: Case | None, target: str,
                     reference: str) -> str:
    """One screen about one divergence: case, interpreter, each differing field, both values."""
    lines = ["DIVERGENCE %s on %s (target %s, reference %s)"
             % (divergence.case_id, divergence.interpreter, target, reference)]
    if case is not None and case.data.get("description"):
        lines.append("  " + case.data["description"])
    steps = case.data.get("steps", []) if case is not None else []
    shown = 0
    for index in divergence.steps():
        if index is None:
            lines.append("  case:")
        else:
            call = describe_step(steps[index]) if index < len(steps) else "(no such step)"
            lines.append("  step %d: %s" % (index, call))
        for difference in divergence.differences:
            if step_index(difference.path) != index:
                continue
            shown += 1
            if shown > MAX_FIELDS:
                break
            lines.append("    %s" % difference.path)
            lines.append("      target:    %s" % _short(difference.target))
            lines.append("      reference: %s" % _short(difference.reference))
            lines += ["      breaks %s: %s (%s)" % (name, *PROMISES[name]) for name in broken_by_target(difference)]
    if shown > MAX_FIELDS:
        lines.append("  ... %d more differing fields (see --json)"
                     % (len(divergence.differences) - MAX_FIELDS))
    return "\n".join(lines)


def json_report(result: CheckResult, cases: dict[str, Case]) -> dict[str, Any]:
    """The whole run: counts, rules, every verdict (with what an expectation file made of it),
    and each divergence with both observations."""
    failed = [v for v in result.verdicts if v.status == "failed"]
    assessments = result.assessments
    assessed = {(a.verdict.case_id, a.verdict.interpreter): a for a in assessments}
    return {
        "interpreters": [i.to_json() for i in result.interpreters],
        "target": result.target,
        "reference": result.reference,
        "cases": result.ran,
        "passed": result.count("passed"),
        "failed": result.count("failed"),
        "skipped": result.count("skipped"),
        "unsupported": result.count("unsupported"),
        "errors": [{"case": v.case_id, "interpreter": v.interpreter, "detail": v.note}
                   for v in result.verdicts if v.status == "error"],
        "ignore_rules": [{"pattern": rule.pattern, "reason": rule.reason} for rule in result.ignore_rules.values()],
        "ignored_differences": len(result.ignored),
        "ignored_cases": result.ignored_cases,
        "ignored": [{"case": verdict.case_id, "interpreter": verdict.interpreter, "path": difference.path,
                     "pattern": rule.pattern, "target": difference.target, "reference": difference.reference}
                    for verdict, difference, rule in result.ignored],
        **result.counts.to_json(),
        "elapsed_seconds": round(result.elapsed_seconds, 3),
        "cases_per_second": round(result.cases_per_second, 1),
        "expected_failures": sum(1 for a in assessments if a.kind == "expected"),
        "unexpected": sum(1 for a in assessments if a.kind == "unexpected"),
        "verdicts": [_verdict_json(v, assessed.get((v.case_id, v.interpreter))) for v in result.verdicts],
        "divergences": [{
            "case": cases[v.case_id].data if v.case_id in cases else v.case_id,
            "interpreter": v.interpreter,
            "differences": [{"path": d.path, "target": d.target, "reference": d.reference}
                            for d in v.divergence.differences],
            "target_observation": v.divergence.target,
            "reference_observation": v.divergence.reference,
        } for v in failed],
    }


def _verdict_json(verdict, assessment) -> dict[str, Any]:
    entry = {"case": verdict.case_id, "interpreter": verdict.interpreter, "status": verdict.status}
    if verdict.note:
        entry["note"] = verdict.note
    if assessment is not None:
        entry["judgement"] = assessment.kind
        if assessment.message:
            entry["message"] = assessment.message
    if verdict.divergence is not None:
        entry["fields"] = [d.path for d in verdict.divergence.differences]
    return entry


def fuzz_json_report(settings, campaign, findings: list, written: list[str], titles: list[str]) -> dict[str, Any]:
    """A campaign (conformance._fuzz_command.FuzzSettings, its Campaign): counts, rules, and each
    finding with its title, where it was written, its signature and root, where it reproduces
    and what differs."""
    from conformance.strategies import describe_policy

    judge = campaign.judge
    rate = campaign.cases_run / campaign.elapsed_seconds if campaign.elapsed_seconds else 0.0
    return {
        "interpreters": [i.to_json() for i in settings.interpreters], "target": settings.target,
        "reference": None if settings.across else settings.reference, "across": settings.across,
        "cases": campaign.cases_run, "elapsed_seconds": round(campaign.elapsed_seconds, 3),
        "cases_per_second": round(rate, 1), "policy": describe_policy(settings.policy),
        "isolation": campaign.isolation, "shared_process": judge.shared_process, "unconfirmed": judge.unconfirmed,
        **campaign.counts.to_json(),
        "ignore_rules": [{"pattern": rule.pattern, "reason": rule.reason} for rule in judge.ignore_rules],
        "ignored_differences": judge.ignored_differences, "ignored_cases": judge.ignored_cases,
        "expected_divergences": judge.expected_divergences,
        "guidance": campaign.guide.report() if campaign.guide is not None else None,
        "divergences": [{"title": t, "signature": list(map(str, f.signature)), "root": json.loads(json.dumps(f.root, default=str)),
                         "case": f.case, "written": w,
                         "absorbed": [{"signature": list(map(str, a.signature)), "case": a.case} for a in f.absorbed],
                         "interpreters": [i.label for i in f.interpreters],
                         "reproduces_on": f.reproduces_on, "passes_on": f.passes_on,
                         "groups": [{"interpreters": g[0]} for g in f.groups], "cause": list(f.cause),
                         "differences": [{"path": d.path, "target": d.target, "reference": d.reference}
                                         for d in f.divergence.differences]}
                        for f, w, t in zip(findings, written, titles)],
    }


def write_json(path: str, report: dict[str, Any]) -> None:
    """A report as indented JSON at `path`, written whole or not at all (WriteError)."""
    write_text(path, json.dumps(report, indent=1) + "\n")
