"""Running cases on interpreters with a pool of workers, and judging the results."""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from conformance._case import Case
from conformance._compare import Difference, IgnoreRule, Verdict, compare
from conformance._features import features_of
from conformance._expectations import Expectations, assess
from conformance._interpreters import Interpreter
from conformance._pool import Pool, RunCounts
from conformance._targets import is_recorded, live_sides
from conformance._versions import minor, parse_version

__all__ = ["DEFAULT_TIMEOUT", "CheckResult", "ignored_words", "run_check", "stderr_progress", "verdict_of"]

DEFAULT_TIMEOUT = 5.0


@dataclass
class CheckResult:
    """Verdicts of every case on every interpreter, with timing."""

    target: str
    reference: str
    interpreters: list[Interpreter]
    verdicts: list[Verdict] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    counts: RunCounts = field(default_factory=RunCounts)  # what befell the workers
    ignore_rules: dict[str, IgnoreRule] = field(default_factory=dict)  # pattern -> rule in force
    expectations: Expectations | None = None  # the expectation file the verdicts are assessed by

    @cached_property
    def assessments(self) -> list:
        """Each verdict seen through the expectation file (or, without one, a failure or an error
        is unexpected), once the run is over."""
        return [assess(verdict, self.expectations) for verdict in self.verdicts]

    @property
    def ignored(self) -> list[tuple[Verdict, Difference, IgnoreRule]]:
        """Every difference set aside as intended, with its verdict and the rule."""
        return [(verdict, difference, rule) for verdict in self.verdicts for difference, rule in verdict.ignored]

    def count(self, status: str) -> int:
        return sum(1 for verdict in self.verdicts if verdict.status == status)

    @property
    def ran(self) -> int:
        return sum(1 for verdict in self.verdicts if verdict.status != "skipped")

    @property
    def cases_per_second(self) -> float:
        return self.ran / self.elapsed_seconds if self.elapsed_seconds else 0.0

    def closing_line(self) -> str:
        """`N passed, N failed` alone, then the other counts in brackets; with an expectation file,
        failures it expects are counted apart (`N expected failures (FILE)`), and unexpected
        outcomes of listed cases (a pass, another status) count as failed. The same words per
        interpreter (the progress line) and for the whole run (the closing line)."""
        extra = ["%d %s" % (self.count(s), s) for s in ("skipped", "unsupported", "error") if self.count(s)]
        passed, failed = self.count("passed"), self.count("failed")
        if self.expectations is not None:
            expected = sum(1 for a in self.assessments if a.kind == "expected")
            failed = sum(1 for a in self.assessments if a.kind == "unexpected" and a.verdict.status != "error")
            passed -= sum(1 for a in self.assessments if a.kind == "unexpected" and a.verdict.status == "passed")
            extra.insert(0, "%d expected failure%s (%s)" % (expected, "" if expected == 1 else "s",
                                                            self.expectations.path))
        if self.ignored:
            extra.append(ignored_words(len(self.ignored), self.ignored_cases))
        extra += self.counts.parts()
        line = "%d passed, %d failed" % (passed, failed)
        return line + (" (%s)" % ", ".join(extra) if extra else "")

    @property
    def ignored_cases(self) -> int:
        """Cases (on an interpreter) with an intended difference set aside."""
        return sum(1 for verdict in self.verdicts if verdict.ignored)


def _recorded_version(reference: str, interpreter: Interpreter) -> tuple[int, ...]:
    """`expected`: the interpreter's own version; `expected:3.8`: the one named."""
    named = reference.partition(":")[2]
    return parse_version(named) if named else interpreter.version


def verdict_of(case: Case, interpreter: Interpreter, target: str, reference: str,
               pool: Pool, timeout: float, ignore: list[IgnoreRule], skip=None) -> Verdict:
    """One case on one interpreter: run on the target (and a live reference) in `pool`, compared
    with the reference (or its recording), the differences `ignore` matches set aside; skipped
    where its version gate or `skip(case_id, interpreter_label)` says so."""
    label = interpreter.label
    if not case.runs_on(interpreter.version):
        return Verdict(case.id, label, "skipped", note="version gate")
    entry = skip(case.id, label) if skip else None
    if entry is not None:
        return Verdict(case.id, label, "skipped", note="expectation: %s" % entry.reason)
    if is_recorded(reference):
        version = _recorded_version(reference, interpreter)
        recording = case.recording_for(version)
        if recording is None and reference == "expected":  # newer than any recording: the newest
            if interpreter.implementation == "micropython":  # compared with CPython's newest behaviour
                version = (99, 0)
            version = case.newest_recording_before(version) or version
            recording = case.recording_for(version)
        if recording is None:
            return Verdict(case.id, label, "skipped", note="no recorded expectation")
        (result,) = pool.run(case.data, [target], timeout)
        changed = _changed(case, recording, version, interpreter)
        verdict = compare(case.id, label, result, recording, list(ignore) + changed, features_of(case.data))
        if verdict.status == "failed":
            verdict.note = _patch_release(recording, version, interpreter)
        return verdict
    result, reference_result = pool.run(case.data, [target, reference], timeout)
    return compare(case.id, label, result, reference_result, ignore, features_of(case.data))


def _changed(case: Case, recording: dict, version: tuple, interpreter: Interpreter) -> list[IgnoreRule]:
    """What a patch release changed between the recording (of `version`'s major.minor) and the
    interpreter (the case's `changes`), as rules: the recording cannot show it, and the
    interpreter's behaviour is not its fault."""
    made = _recorded_on(recording, version)
    if made is None:
        return []
    return [IgnoreRule(field, "changed after %s: %s" % (made, change.get("issue") or change["description"]))
            for change in case.changes_since(made, interpreter.version) for field in change["fields"]]


def _recorded_on(recording: dict, version: tuple) -> str | None:
    """The exact release a recording's observation of `version`'s major.minor was made on."""
    return next((exact for python, exact in zip(recording.get("pythons", []), recording.get("recorded_on", []))
                 if python == minor(version)), None)


def _patch_release(recording: dict, version: tuple, interpreter: Interpreter) -> str:
    """Where a CPython differs from the recording of its own major.minor made on another patch
    release, that is what the divergence is, to triage: a change of that release (the case's
    `changes`, with its issue) or a bug of it. '' otherwise."""
    made, now = _recorded_on(recording, version), ".".join(map(str, interpreter.version))
    if interpreter.implementation != "cpython" or made in (None, now) or minor(interpreter.version) != minor(version):
        return ""
    return ("recorded on %s, this is %s: a patch release that behaves otherwise (a change of that release, for "
            "the case's `changes` with its issue, or a bug of it)" % (made, now))


def run_check(cases: list[Case], interpreters: list[Interpreter], target: str = "stdlib",
              reference: str = "stdlib", jobs: int | None = None,
              timeout: float = DEFAULT_TIMEOUT, progress: Callable[[str], None] | None = None,
              isolation: str | None = None, ignore: list[IgnoreRule] | None = None,
              expectations: Expectations | None = None) -> CheckResult:
    """Run every case with target and reference on every interpreter, differences matching
    `ignore` or the targets' own IGNORE declarations set aside, and cases an expectation file
    skips not run (the progress line of each interpreter counts as its closing line does); raise
    WorkerError if a worker cannot start, refuses the target, or the target kills every worker."""
    skip = expectations.skips if expectations is not None else None
    jobs = jobs or os.cpu_count() or 1
    result = CheckResult(target, reference, list(interpreters), expectations=expectations)
    live = live_sides(target, reference)
    started = time.monotonic()
    for interpreter in interpreters:
        began = time.monotonic()
        pool = Pool(interpreter, jobs, isolation, targets=live)
        try:
            rules = pool.ignore_rules(live, ignore or ())
            result.ignore_rules.update({rule.pattern: rule for rule in rules})
            verdicts = pool.map(
                lambda case: verdict_of(case, interpreter, target, reference, pool, timeout, rules, skip), cases)
        finally:
            pool.close()
        result.verdicts.extend(verdicts)
        result.counts.add(pool.counts)
        if progress:
            alone = CheckResult(target, reference, [interpreter], verdicts, counts=pool.counts,
                                expectations=expectations)
            progress("%s: %s (%.1fs)" % (interpreter.label, alone.closing_line(), time.monotonic() - began))
    result.elapsed_seconds = time.monotonic() - started
    return result


def ignored_words(differences: int, cases: int) -> str:
    """"3 intended differences ignored in 2 cases": check and fuzz say it alike (a case: on one
    interpreter, with at least one difference set aside)."""
    return "%d intended difference%s ignored in %d case%s" % (
        differences, "" if differences == 1 else "s", cases, "" if cases == 1 else "s")


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)

