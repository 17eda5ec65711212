"""Comparison of two runs of one case, field by field."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from conformance._worker.invariants import PROMISES

__all__ = ["FEATURE_PREFIX", "broken_by_target", "Difference", "Divergence", "IgnoreRule", "Verdict", "compare", "field_differences", "glob_pattern",
           "observation", "step_index"]


@dataclass
class Difference:
    """One field that differs: where (a dotted path in the observation) and both values."""

    path: str
    target: Any
    reference: Any


@dataclass(frozen=True)
class IgnoreRule:
    """An intended difference: field paths matching `pattern` (`*` any characters, `?` one, all
    else literal, so `steps[*].result.__loader__` means what it shows) are not divergences; a
    pattern `feature:NAME` matches every field of a case that has the feature NAME
    (conformance/_features.py: what the case does)."""

    pattern: str
    reason: str

    @property
    def feature(self) -> str | None:
        return self.pattern[len(FEATURE_PREFIX):] if self.pattern.startswith(FEATURE_PREFIX) else None

    def matches(self, path: str, features: frozenset = frozenset()) -> bool:
        if self.feature is not None:
            return self.feature in features
        return glob_pattern(self.pattern).fullmatch(path) is not None


FEATURE_PREFIX = "feature:"


@lru_cache(maxsize=None)
def glob_pattern(glob: str) -> re.Pattern:
    """A regular expression for a glob: `*` any characters, `?` one, all else literal."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob))


@dataclass
class Divergence:
    """Every difference between target and reference for one case on one interpreter."""

    case_id: str
    interpreter: str
    differences: list[Difference]
    target: dict[str, Any] = field(repr=False, default_factory=dict)
    reference: dict[str, Any] = field(repr=False, default_factory=dict)
    ignored: list[tuple[Difference, IgnoreRule]] = field(default_factory=list)

    def steps(self) -> list[int | None]:
        """The step indexes that differ, in order (None for outcome and final state)."""
        seen: list[int | None] = []
        for difference in self.differences:
            index = step_index(difference.path)
            if index not in seen:
                seen.append(index)
        return seen

    def signature(self) -> tuple:
        """What kind of divergence this is: differing fields with step numbers removed."""
        return tuple(sorted({_strip_index(d.path) for d in self.differences}))


@dataclass
class Verdict:
    """The result of one case on one interpreter: passed, failed, skipped, unsupported, error."""

    case_id: str
    interpreter: str
    status: str
    note: str = ""
    divergence: Divergence | None = None
    ignored: list[tuple[Difference, IgnoreRule]] = field(default_factory=list)  # intended differences
    features: frozenset = frozenset()  # what the case does (conformance/_features.py)


def observation(result: dict[str, Any]) -> dict[str, Any]:
    """The comparable part of a run: outcome, detail (for crash, timeout, error), steps, final state;
    and for a run whose worker died, how far it got (phase)."""
    detail = result.get("detail") if result.get("outcome") in ("crash", "timeout", "error") else None
    seen = {"outcome": result["outcome"], "detail": detail, "steps": result["steps"], "final": result["final"]}
    if result.get("worker_lost"):
        seen["phase"] = result.get("phase") or "unknown"
    return seen


def compare(case_id: str, interpreter: str, target: dict[str, Any],
            reference: dict[str, Any], ignore: tuple[IgnoreRule, ...] | list[IgnoreRule] = (),
            features: frozenset = frozenset()) -> Verdict:
    """The verdict for one case (whose features are `features`) from the target's and the
    reference's run results; differences an `ignore` rule matches are kept aside
    (Verdict.ignored), and alone they pass."""
    outcomes = (target["outcome"], reference["outcome"])
    if "unsupported" in outcomes:
        return Verdict(case_id, interpreter, "unsupported", features=features)
    if outcomes == ("error", "error"):
        return Verdict(case_id, interpreter, "error", note=target.get("detail") or "", features=features)
    left, right = observation(target), observation(reference)
    differences, ignored = [], []
    for difference in field_differences("", left, right):
        rule = next((rule for rule in ignore if rule.matches(difference.path, features)), None)
        if rule is None:
            differences.append(difference)
        else:
            ignored.append((difference, rule))
    if not differences:
        return Verdict(case_id, interpreter, "passed", ignored=ignored, features=features)
    divergence = Divergence(case_id, interpreter, differences, left, right, ignored)
    return Verdict(case_id, interpreter, "failed", divergence=divergence, ignored=ignored, features=features)


_ABSENT = "<absent>"


def field_differences(path: str, left: Any, right: Any):
    """Every Difference between two observations (or parts of them, at `path`), in order: dicts
    key by key, a `steps` list step by step (and a `threads` step's threads thread by thread),
    anything else by value and type."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in list(left) + [k for k in right if k not in left]:
            yield from field_differences(_join(path, key), left.get(key, _ABSENT), right.get(key, _ABSENT))
    elif isinstance(left, list) and isinstance(right, list) and path.endswith(("steps", ".threads")):
        for index in range(max(len(left), len(right))):
            yield from field_differences("%s[%d]" % (path, index),
                             left[index] if index < len(left) else _ABSENT,
                             right[index] if index < len(right) else _ABSENT)
    elif left != right or type(left) is not type(right):
        yield Difference(path, left, right)


def _join(path: str, key: str) -> str:
    return "%s.%s" % (path, key) if path else key


def broken_by_target(difference: Difference) -> list[str]:
    """The promises (conformance/_worker/invariants.py) a difference shows the target breaking
    where the reference keeps them: the names in a step's `invariants` only the target has."""
    if not difference.path.endswith(".invariants"):
        return []
    kept = difference.reference if isinstance(difference.reference, list) else []
    broken = difference.target if isinstance(difference.target, list) else []
    return [name for name in broken if name not in kept and name in PROMISES]


def step_index(path: str) -> int | None:
    if path.startswith("steps["):
        return int(path[len("steps["):path.index("]")])
    return None


def _strip_index(path: str) -> str:
    index = step_index(path)
    if index is None:
        return path
    return "steps[]" + path[path.index("]") + 1:]
