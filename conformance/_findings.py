"""Findings: a minimal divergent case, its signature (what kind of divergence), and the grouping
of findings into one per root cause at the end of a campaign.

A signature is what the search tells divergences apart by while it runs: the op of the first
differing step, its differing fields with generated names wildcarded, the exception types on each
side. A root is what a reduced case's divergence comes down to, whatever call and module showed
it: a promise of the import system the target breaks and the reference keeps, by name
(conformance/_worker/invariants.py); else, where the sides' exception types differ (one returns, say, where the other raises), those;
otherwise the fields that differ, less the consequences (which modules ran, which were added)
where more differs. Across versions, the root is the version change (conformance/_changes.py),
or its cause (conformance/_causes.py).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from conformance._changes import across_root, generalise, sketch
from conformance._compare import Divergence, broken_by_target
from conformance._interpreters import Interpreter

__all__ = ["Finding", "group_findings", "headline", "is_consequence", "signature_of", "size_of"]

_BROKEN = "steps[].invariants."  # a field naming a promise the target breaks (_fields_of)
# fields that follow from another difference at the same step: the modules a step ran and added
_CONSEQUENCES = ("steps[].executed", "steps[].modules.", "steps[].warnings", "final.order", "final.modules.")


@dataclass
class Finding:
    """A minimal case that diverges, its signature, and what each side observed."""

    signature: tuple
    case: dict[str, Any]
    divergence: Divergence
    interpreters: list[Interpreter]
    groups: list[tuple[list[str], dict]] = field(default_factory=list)  # cross-version mode
    absorbed: list[Finding] = field(default_factory=list)  # findings of the same root cause (group_findings)
    reproduces_on: list[str] = field(default_factory=list)  # labels where the reduced case diverges
    passes_on: list[str] = field(default_factory=list)  # labels where it does not (target and reference agree)
    cause: tuple = ()  # across: the case's features without which the change does not show (_causes.py)

    @property
    def root(self) -> tuple:
        """What differs, whatever call showed it (a hook's loader shows through import_module,
        __import__ and reload): the signature's headline."""
        if len(self.groups) > 1:  # across versions: the version change (conformance/_changes.py)
            symptom = across_root(self.groups)
            return (symptom[0], "cause", self.cause) if self.cause else symptom
        return headline(self.signature, self._target_message())

    def _target_message(self) -> str | None:
        """The message of what the target raised at the first differing step, if it raised."""
        first = self.divergence.steps()[0] if self.divergence.differences else None
        steps = self.divergence.target.get("steps", []) if isinstance(self.divergence.target, dict) else []
        step = steps[first] if first is not None and first < len(steps) else {}
        exception = step.get("exception") if isinstance(step, dict) else None
        return exception.get("message") if isinstance(exception, dict) else None

    @property
    def slug(self) -> str:
        return hashlib.sha1(repr(self.signature).encode()).hexdigest()[:10]


def signature_of(case: dict, divergence: Divergence) -> tuple:
    """What kind of divergence: the op of the first differing step, its generalised differing
    fields, and the exception types on each side."""
    first = divergence.steps()[0]
    steps = case.get("steps", [])
    op = steps[first]["op"] if first is not None and first < len(steps) else "case"
    fields = sorted({field for d in divergence.differences if first is None or d.path.startswith("steps[%d]" % first)
                     for field in _fields_of(d)})
    kinds = []
    for side in (divergence.target, divergence.reference):
        step = side["steps"][first] if first is not None and first < len(side["steps"]) else {}
        kinds.append(step.get("exception", {}).get("type") if isinstance(step, dict) else None)
    return (op, tuple(fields[:6]), tuple(kinds))


def _fields_of(difference) -> list[str]:
    """A difference's generalised field; for a step's broken invariants, one per promise the
    target breaks and the reference keeps (`steps[].invariants.spec-loader`)."""
    broken = broken_by_target(difference)
    return ["%s.%s" % (generalise(difference.path), name) for name in broken] or [generalise(difference.path)]


def headline(signature: tuple, message: str | None = None) -> tuple:
    """What a divergence comes down to: ("breaks", promises) where the target breaks a promise
    of the import system the reference keeps (conformance/_worker/invariants.py); else, where the
    exception types differ, what the target raised, with its `message` in words without the
    case's names (one bug of a hook raises the same whatever the reference does there), or,
    where the target raised nothing, ("raises", None, the reference's type); else ("differs",
    fields), the fields without those that only follow from another difference (both sides
    raising the same is no difference)."""
    _, fields, kinds = signature
    broken = tuple(f.rpartition(".")[2] for f in fields if f.startswith(_BROKEN))
    if broken:
        return ("breaks", broken)
    if kinds[0] != kinds[1] and kinds[0] is not None and message is not None:
        return ("raises", kinds[0], sketch("", message))
    if kinds[0] != kinds[1]:
        return ("raises", *kinds)
    causes = tuple(f for f in fields if not is_consequence(f))
    return ("differs", causes or fields)


def is_consequence(path: str) -> bool:
    """Whether a field (a path, generalised or not) only follows from another difference."""
    return generalise(path).startswith(_CONSEQUENCES)


def group_findings(findings: list[Finding]) -> list[Finding]:
    """One finding per root cause: of the findings whose reduced cases show the same differing
    fields and exception types, the smallest case stays, and the others (each with its signature
    and its case) are listed as absorbed by it. Order of first appearance."""
    groups: dict[tuple, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.root, []).append(finding)
    grouped = []
    for members in groups.values():
        kept = min(members, key=lambda f: size_of(f.case))
        absorbed = [absorbed for f in members if f is not kept for absorbed in [f, *f.absorbed]] + kept.absorbed
        seen = {_key(kept)}
        kept.absorbed = []
        for f in absorbed:  # each signature with each case once
            if _key(f) not in seen:
                seen.add(_key(f))
                kept.absorbed.append(f)
            f.absorbed = []
        grouped.append(kept)
    return grouped


def _key(finding: Finding) -> tuple:
    """What tells two findings apart: signature, case and (across versions) what each group saw."""
    return finding.signature, json.dumps([finding.case, finding.groups], sort_keys=True, default=str)


def size_of(case: dict) -> tuple:
    """Which of two cases is smaller: files and steps, then the length of the text."""
    return len(case.get("files", {})) + len(case.get("steps", [])), len(json.dumps(case, sort_keys=True))
