"""Shrinking and reduction: a divergent case made minimal while it keeps diverging the same way.

Hypothesis shrinks first (its example database serves the one case the search found, as a
not-yet-shrunk entry; verdicts of cases seen before are recalled, not rerun; at most
SHRINK_SECONDS, or CAUSE_SHRINK_SECONDS where reduction by cause follows), then the case
reducer (conformance/_reduce.py) deletes what is left to delete.
Without a case to shrink, Hypothesis replays what earlier campaigns saved in the database.
Reduced by cause, a finding then moves to where it comes from: the import of a module the sides
disagree on, when that import alone diverges (Shrinker.localise).
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
from conformance.strategies import Policy, case_from, generated_case, generated_size

__all__ = ["CAUSE_SHRINK_SECONDS", "SHRINK_SECONDS", "Shrinker", "ShrinkDatabase"]

SHRINK_SECONDS = 8.0  # Hypothesis shrinks this long; the case reducer then finishes the job
CAUSE_SHRINK_SECONDS = 3.0  # as long, where reduction by cause follows (it deletes more than a signature lets)
LOCALISE_DEPTH = 3  # times a finding may move to the import it comes from


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
                 known_change: Callable[[Finding], bool], shrink_seconds: float = SHRINK_SECONDS):
        self.policy, self.interpreters, self.shrink_seconds = policy, interpreters, shrink_seconds
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
        until = time.monotonic() + self.shrink_seconds
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

    def reduce(self, finding: Finding, same_cause: bool = False) -> Finding:
        """Delete what the divergence does not need (steps, files, lines, set-up, arguments),
        keeping its signature; or, `same_cause`, keeping a divergence of the same cause: the step
        that first differed still differs first (for a case whose steps agree, still none
        differs), however; the finding's signature is then the reduced divergence's."""
        best = {"finding": finding}
        first = finding.divergence.steps()[0] if finding.divergence.differences else None

        def still_fails(candidate: dict, focus: int | None) -> bool:
            candidate = case_from({k: v for k, v in candidate.items() if k != "id"})
            divergence, groups = self._judge(candidate)
            if divergence is None:
                return False
            signature = signature_of(candidate, divergence)
            if same_cause and divergence.steps()[0] != focus or not same_cause and signature != finding.signature:
                return False
            best["finding"] = Finding(signature, candidate, divergence, finding.interpreters, groups)
            return True

        reduce_case(finding.case, still_fails, focus=first if same_cause else None)
        return best["finding"]

    def localise(self, finding: Finding, depth: int = LOCALISE_DEPTH) -> Finding:
        """The divergence where it comes from: where the sides disagree on which modules the
        first differing step added (one side could not import `b` for a module that imports it,
        say), a case that imports such a module alone, after the same steps (then also with its
        parent packages' bodies emptied: a package importing its own submodule fails with it), and
        diverges there otherwise stands for `finding` (reduced by cause, and absorbing it); `depth`
        times at most."""
        for _ in range(depth):
            focus = finding.divergence.steps()[0]
            probes = []
            for name in _disagreed_modules(finding.divergence, focus):
                steps = finding.case["steps"][:focus] + [{"op": "import_module", "name": name}]
                plain = {**{k: v for k, v in finding.case.items() if k != "id"}, "steps": steps}
                probes += [plain] + ([_parents_emptied(plain, name)] if "." in name else [])
            for probe in map(case_from, probes):
                divergence, groups = self._judge(probe)
                if divergence is None or divergence.steps()[0] != focus:
                    continue
                source = Finding(signature_of(probe, divergence), probe, divergence, finding.interpreters, groups)
                if source.root == finding.root:
                    continue
                source = self.reduce(source, same_cause=True)
                source.absorbed, finding.absorbed = [finding, *finding.absorbed], []
                finding = source
                break
            else:
                return finding
        return finding


def _parents_emptied(case: dict, name: str) -> dict:
    """`case` with the `__init__.py` of each package above module `name` empty, in directories
    and archives alike."""
    inits = ["%s/__init__.py" % name.rsplit(".", depth)[0].replace(".", "/") for depth in range(1, name.count(".") + 1)]

    def emptied(files: dict) -> dict:
        out = {}
        for path, source in files.items():
            if isinstance(source, dict) and "zip" in source:
                source = {**source, "zip": emptied(source["zip"])}
            elif any(path == init or path.endswith("/" + init) for init in inits):
                source = []
            out[path] = source
        return out

    return {**case, "files": emptied(case.get("files", {}))}


def _disagreed_modules(divergence: Divergence, step: int | None) -> list[str]:
    """The names one side's step `step` added to sys.modules and the other's did not."""
    if step is None:
        return []
    added = []
    for side in (divergence.target, divergence.reference):
        observed = side.get("steps", [])[step] if step < len(side.get("steps", [])) else {}
        modules = observed.get("modules") if isinstance(observed, dict) else None
        added.append({entry[0] for entry in (modules or {}).get("added", [])})
    return sorted(added[0] ^ added[1])
