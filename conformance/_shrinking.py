"""Shrinking and reduction: a divergent case made minimal while it keeps diverging the same way.

Hypothesis shrinks first (its example database serves the one case the search found, as a
not-yet-shrunk entry; verdicts of cases seen before are recalled, not rerun; at most
SHRINK_SECONDS), then the case reducer (conformance/_reduce.py) deletes what is left to delete.
Without a case to shrink, Hypothesis replays what earlier campaigns saved in the database.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase, choices_to_bytes

from conformance._compare import Divergence
from conformance._findings import Finding, signature_of, size_of
from conformance._reduce import reduce_case
from strategies import Policy, case_from, generated_case, generated_size

__all__ = ["SHRINK_SECONDS", "Shrinker", "ShrinkDatabase"]

SHRINK_SECONDS = 8.0  # Hypothesis shrinks this long; the case reducer then finishes the job


class _Divergent(Exception):
    """Raised inside the Hypothesis test to mark an example as a new divergence."""


class ShrinkDatabase(ExampleDatabase):
    """Hypothesis's example database as the fuzzer uses it. With `seed` (the bytes of a case the
    random search found divergent), Hypothesis gets that one example to shrink, served as a not
    yet shrunk ("secondary") entry, the only kind it shrinks. Without, the finds saved by earlier
    campaigns are replayed. Saves reach the database on disk; nothing is deleted (a find whose
    signature this campaign already knows passes, and must stay for the next campaign)."""

    def __init__(self, inner: ExampleDatabase, seed: bytes | None = None):
        super().__init__()
        self._inner, self._seed = inner, seed

    def fetch(self, key):
        if self._seed is None:
            yield from self._inner.fetch(key)
        elif key.endswith(b".secondary"):
            yield choices_to_bytes((self._seed,))

    def save(self, key, value):
        self._inner.save(key, value)

    def delete(self, key, value):
        pass

    def move(self, src, dest, value):
        pass


class Shrinker:
    """Shrinks and reduces the findings of one campaign. `judge(case)` runs a case everywhere
    it must run and returns (divergence or None, cross-version groups), counting the run;
    `known_change(finding)` says whether a finding only shows a version change found already."""

    def __init__(self, policy: Policy, interpreters: list, judge: Callable[[dict], tuple],
                 known_change: Callable[[Finding], bool]):
        self.policy, self.interpreters = policy, interpreters
        self._judge, self._known_change = judge, known_change
        self._verdicts: dict = {}  # case id -> (divergence, groups), while shrinking

    def _hypothesis(self, database: ExampleDatabase, seed: int, diverges: Callable[[bytes], bool]) -> None:
        """Let Hypothesis replay the database's examples and shrink a divergent one; `diverges`
        says whether a byte string still fails. Always the same test function, so that every
        campaign of one target, reference and policy shares the database key."""
        size = generated_size(self.policy)

        @settings(database=database, max_examples=1000, phases=[Phase.reuse, Phase.shrink], deadline=None,
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False, print_blob=False,
                  verbosity=Verbosity.quiet)
        @hypothesis_seed(seed)
        @given(st.binary(min_size=size, max_size=size))
        def probe(data):
            if diverges(data):
                raise _Divergent()

        try:
            probe()
        except Exception:  # _Divergent, or Hypothesis's report of it (a flaky final replay, say)
            pass

    def _run_bytes(self, data: bytes, until: float) -> tuple[dict, Divergence | None, list]:
        """The case `data` stands for and its verdict, recalled if Hypothesis asks again; past
        `until`, cases not seen before count as passing."""
        case = generated_case(self.policy, data)
        if case["id"] not in self._verdicts:
            if time.monotonic() > until:
                return case, None, []
            self._verdicts[case["id"]] = self._judge(case)
        return (case, *self._verdicts[case["id"]])

    def shrink_or_replay(self, database: ExampleDatabase, seed: int, known: set,
                         finding: Finding | None = None) -> Finding | None:
        """The smallest case Hypothesis finds that diverges with `finding`'s signature (or, when
        replaying, with the first new signature a stored example shows)."""
        best: dict[str, Any] = {"finding": finding}
        until = time.monotonic() + SHRINK_SECONDS
        self._verdicts.clear()

        def diverges(data: bytes) -> bool:
            case, divergence, groups = self._run_bytes(data, until)
            if divergence is None:
                return False
            signature = signature_of(case, divergence)
            pinned = best["finding"].signature if best["finding"] else None
            if signature in known or pinned not in (None, signature):
                return False
            candidate = Finding(signature, case, divergence, list(self.interpreters), groups)
            if pinned is None and self._known_change(candidate):
                return False
            if best["finding"] is None or size_of(case) < size_of(best["finding"].case):
                best["finding"] = candidate
            return True

        self._hypothesis(database, seed, diverges)
        return best["finding"]

    def reduce(self, finding: Finding) -> Finding:
        """Delete what the divergence does not need (steps, files, lines, set-up, arguments)."""
        best = {"finding": finding}

        def still_fails(candidate: dict) -> bool:
            candidate = case_from({k: v for k, v in candidate.items() if k != "id"})
            divergence, groups = self._judge(candidate)
            if divergence is None or signature_of(candidate, divergence) != finding.signature:
                return False
            best["finding"] = Finding(finding.signature, candidate, divergence, finding.interpreters, groups)
            return True

        reduce_case(finding.case, still_fails)
        return best["finding"]
