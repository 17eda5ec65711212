"""The differential fuzzer: generated cases, run on a target and a reference (or on several
interpreters), every divergence shrunk by Hypothesis to a minimal case and deduplicated.

A campaign first replays what earlier campaigns found (Hypothesis's example database), then
searches: random byte strings, each decoded to a case (strategies.generated_case), streamed to
the worker pools so that no worker waits for the host. The first divergence whose signature is
new is handed to Hypothesis to shrink (fewer files, fewer steps, plainer choices), then the case
reducer deletes what is left to delete; the search goes on for other signatures until the time
or case budget is spent. Random bytes rather than Hypothesis's own generation: it costs the host
microseconds, not milliseconds, a case, and repeats no case.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase, choices_to_bytes

from conformance._pool import Pool, is_own_target
from conformance._causes import ablate, features_of
from conformance._changes import across_root, boundary_pair, generalise
from conformance._compare import Divergence, Verdict, compare, observation
from conformance._interpreters import Interpreter
from conformance._reduce import reduce_case
from strategies import DEFAULT, Policy, case_from, describe_policy, generated_case, generated_size

__all__ = ["Campaign", "Finding", "group_findings", "signature_of"]

IN_FLIGHT = 3  # cases queued per worker, so that none waits while the host decodes the next
SHRINK_SECONDS = 8.0  # Hypothesis shrinks this long; the case reducer then finishes the job
PROGRESS_EVERY = 50  # cases between progress reports
CACHE = Path(".conformance_cache")


class _Divergent(Exception):
    """Raised inside the Hypothesis test to mark an example as a new divergence."""


@dataclass
class Finding:
    """A minimal case that diverges, its signature, and what each side observed."""

    signature: tuple
    case: dict[str, Any]
    divergence: Divergence
    interpreters: list[Interpreter]
    groups: list[tuple[list[str], dict]] = field(default_factory=list)  # cross-version mode
    absorbed: list[tuple] = field(default_factory=list)  # signatures of the same root cause (group_findings)
    reproduces_on: list[str] = field(default_factory=list)  # labels where the reduced case diverges
    passes_on: list[str] = field(default_factory=list)  # labels where it does not (target and reference agree)
    cause: tuple = ()  # across: the case's features without which the change does not show (_causes.py)

    @property
    def root(self) -> tuple:
        """What differs, whatever call showed it: the signature's fields and exception types
        without its op (a hook's loader shows through import_module, __import__ and reload);
        exception types only where they differ (both sides raising the same is no difference)."""
        fields, kinds = self.signature[1:]
        if len(self.groups) > 1:  # across versions: the version change (conformance/_changes.py)
            symptom = across_root(self.groups)
            return (symptom[0], "cause", self.cause) if self.cause else symptom
        return fields, kinds if kinds[0] != kinds[1] else "same"

    @property
    def slug(self) -> str:
        return hashlib.sha1(repr(self.signature).encode()).hexdigest()[:10]


def signature_of(case: dict, divergence: Divergence) -> tuple:
    """What kind of divergence: the op of the first differing step, its generalised differing
    fields, and the exception types on each side."""
    first = divergence.steps()[0]
    steps = case.get("steps", [])
    op = steps[first]["op"] if first is not None and first < len(steps) else "case"
    fields = sorted({generalise(d.path) for d in divergence.differences
                     if first is None or d.path.startswith("steps[%d]" % first)})
    kinds = []
    for side in (divergence.target, divergence.reference):
        step = side["steps"][first] if first is not None and first < len(side["steps"]) else {}
        kinds.append(step.get("exception", {}).get("type") if isinstance(step, dict) else None)
    return (op, tuple(fields[:6]), tuple(kinds))


def group_findings(findings: list[Finding]) -> list[Finding]:
    """One finding per root cause: of the findings whose reduced cases show the same differing
    fields and exception types, the smallest case stays, and the others' signatures are listed
    as absorbed by it. Order of first appearance."""
    groups: dict[tuple, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.root, []).append(finding)
    grouped = []
    for members in groups.values():
        kept = min(members, key=lambda f: _size(f.case))
        kept.absorbed = [f.signature for f in members if f is not kept] + kept.absorbed
        grouped.append(kept)
    return grouped


def _size(case: dict) -> tuple:
    """Which of two cases is smaller: files and steps, then the length of the text."""
    return len(case.get("files", {})) + len(case.get("steps", [])), len(json.dumps(case, sort_keys=True))


class _Database(ExampleDatabase):
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


def default_jobs() -> int:
    """Workers per interpreter: one more than the cores, so that no core idles while the host
    compares a reply and sends the next case (measured: about 5% more cases per second)."""
    return (os.cpu_count() or 1) + 1


def _may_share_process(target: str, reference: str) -> bool:
    """Whether the search may run the reference and then the target in one forked process
    (a third of the cost): only for the worker's own targets, whose loading changes nothing and
    whose runs change nothing that state.ImportState does not restore. A target that is a module
    runs in workers of its own (Pool), never in a process the reference runs in."""
    return is_own_target(target) and is_own_target(reference)


@dataclass
class Campaign:
    """One fuzzing campaign: target against reference on each interpreter, or (across=True)
    one target on several interpreters."""

    interpreters: list[Interpreter]
    target: str
    reference: str = "stdlib"
    across: bool = False
    jobs: int = field(default_factory=default_jobs)
    timeout: float = 5.0
    seed: int | None = None
    policy: Policy = DEFAULT
    cache: Path = CACHE
    progress: Callable[[dict], None] | None = None
    max_findings: int | None = None  # stop after this many (fuzz --first: one)
    share_process: bool = True  # search with reference and target in one process where safe
    ignore: list = field(default_factory=list)  # IgnoreRules (--ignore); targets' declarations join them
    findings: list[Finding] = field(default_factory=list)
    cases_run: int = 0
    unconfirmed: int = 0  # divergences of a shared process that one process per run did not repeat
    worker_restarts: int = 0  # workers that died or hung and were replaced (set when the campaign ends)
    retried_runs: int = 0  # runs tried again in a fresh worker after losing theirs
    crashed_runs: int = 0  # runs whose outcome is crash (their process or their worker died)
    ignored_differences: int = 0  # intended differences set aside (ignore rules)
    ignored_cases: int = 0  # cases that passed only because their differences were all intended
    expectations: Any = None  # an Expectations file: divergences it expects are counted, not findings
    expected_divergences: int = 0  # divergences the expectation file covers
    known_changes_seen: int = 0  # across: divergences that only showed a version change found already
    elapsed_seconds: float = 0.0
    _pools: dict = field(default_factory=dict)
    _executor: ThreadPoolExecutor | None = None
    _verdicts: dict = field(default_factory=dict)  # case id -> (divergence, groups), while shrinking
    _pending: list = field(default_factory=list)  # new divergences found while another was chosen
    _generated: int = 0
    _threads: int = 1
    _rules: dict = field(default_factory=dict)  # interpreter -> the IgnoreRules in force there
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _roots: set = field(default_factory=set)  # across: the version changes found so far

    @property
    def shares_process(self) -> bool:
        """Whether the search runs reference and target in one process: asked to, and safe."""
        return self.share_process and not self.across and _may_share_process(self.target, self.reference)

    @property
    def ignore_rules(self) -> list:
        """The IgnoreRules in force on any interpreter: --ignore and the targets' declarations."""
        return list({rule.pattern: rule for rules in self._rules.values() for rule in rules}.values())

    # -- running cases -----------------------------------------------------------------
    def _judge(self, case: dict, together: bool = False, fresh: bool = False) -> tuple[Divergence | None, list]:
        """Run one case everywhere it must run; the divergence (if any) and cross-version groups.
        `together`: reference then target in one forked process (Worker.run), for the search;
        `fresh`: where runs are in-process (Pyodide), each in a fresh runtime (confirmation)."""
        if self.across:
            results = [(i, self._pools[i].run(case, [self.target], self.timeout)[0]) for i in self.interpreters]
            groups: list[tuple[list[str], dict]] = []
            for interpreter, result in results:
                obs = observation(result)
                for labels, seen in groups:
                    if seen == obs:
                        labels.append(interpreter.label)
                        break
                else:
                    groups.append(([interpreter.label], obs))
            if "unsupported" in {r["outcome"] for _, r in results} or len(groups) < 2:
                return None, groups
            first, second = results[0][1], next(r for _, r in results if observation(r) != groups[0][1])
            verdict = compare(case["id"], " vs ".join(g[0][0] for g in groups[:2]), first, second)
            return verdict.divergence, groups
        for interpreter in self.interpreters:
            if together:
                reference, target = self._pools[interpreter].run(
                    case, [self.reference, self.target], self.timeout, together=True)
            else:
                target, reference = self._pools[interpreter].run(case, [self.target, self.reference], self.timeout,
                                                                 fresh=fresh)
            verdict: Verdict = compare(case["id"], interpreter.label, target, reference,
                                       self._rules.get(interpreter, self.ignore))
            if verdict.ignored:
                with self._lock:
                    self.ignored_differences += len(verdict.ignored)
                    self.ignored_cases += verdict.status == "passed"
            if verdict.status == "failed":
                if self.expectations is not None and self.expectations.judge(verdict).kind == "expected":
                    with self._lock:
                        self.expected_divergences += 1
                    continue
                return verdict.divergence, []
        return None, []

    # -- searching -----------------------------------------------------------------------
    def _more(self, deadline: float, budget: int | None) -> bool:
        return (time.monotonic() < deadline and (budget is None or self._generated < budget)
                and (self.max_findings is None or len(self.findings) < self.max_findings))

    def _explore(self, rng: random.Random, deadline: float, budget: int | None, known: set) -> tuple | None:
        """Random cases, IN_FLIGHT per worker queued at all times, until one diverges with a
        signature not in `known`: (its bytes, the Finding), or None when the budget is spent.
        Other new divergences still in flight wait in self._pending for the next call."""
        while self._pending:
            data, finding = self._pending.pop(0)
            if finding.signature not in known and not self._known_change(finding):
                return data, finding
        size = generated_size(self.policy)
        window = IN_FLIGHT * self._threads
        in_flight: deque = deque()
        found = None
        try:
            while True:
                while found is None and len(in_flight) < window and self._more(deadline, budget):
                    data = rng.randbytes(size)
                    case = generated_case(self.policy, data)
                    in_flight.append((data, case, self._executor.submit(self._judge, case, self.shares_process)))
                    self._generated += 1
                if not in_flight:
                    return found
                data, case, future = in_flight.popleft()
                divergence, groups = future.result()
                self.cases_run += 1
                if self.cases_run % PROGRESS_EVERY == 0:
                    self._report_progress(len(known))
                if divergence is None:
                    continue
                if self.shares_process:  # confirmed with a process (runtime) per run, or it is the harness's
                    divergence, groups = self._judge(case, fresh=True)
                    if divergence is None:
                        self.unconfirmed += 1
                        continue
                signature = signature_of(case, divergence)
                if signature in known or (found is not None and signature == found[1].signature):
                    continue
                finding = Finding(signature, case, divergence, list(self.interpreters), groups)
                if self._known_change(finding) or (found is not None and self.across
                                                   and finding.root == found[1].root):
                    continue
                if found is None:
                    found = (data, finding)
                else:
                    self._pending.append((data, finding))
        finally:
            for _, _, future in in_flight:  # Ctrl-C: drop what has not started
                future.cancel()

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
            self.cases_run += 1
        return (case, *self._verdicts[case["id"]])

    def _shrink_or_replay(self, database: ExampleDatabase, seed: int, known: set,
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
            if best["finding"] is None or _size(case) < _size(best["finding"].case):
                best["finding"] = candidate
            return True

        self._hypothesis(database, seed, diverges)
        return best["finding"]

    def _database(self) -> ExampleDatabase:
        key = hashlib.sha1(json.dumps([self.target, self.reference, self.across, [i.label for i in self.interpreters],
                                       describe_policy(self.policy)]).encode()).hexdigest()[:16]
        return DirectoryBasedExampleDatabase(str(self.cache / "hypothesis" / key))

    def _reduce(self, finding: Finding) -> Finding:
        """Delete what the divergence does not need (steps, files, lines, set-up, arguments)."""
        best = {"finding": finding}

        def still_fails(candidate: dict) -> bool:
            candidate = case_from({k: v for k, v in candidate.items() if k != "id"})
            divergence, groups = self._judge(candidate)
            self.cases_run += 1
            if divergence is None or signature_of(candidate, divergence) != finding.signature:
                return False
            best["finding"] = Finding(finding.signature, candidate, divergence, finding.interpreters, groups)
            return True

        reduce_case(finding.case, still_fails)
        return best["finding"]

    def _report_progress(self, signatures: int) -> None:
        if self.progress:
            elapsed = max(time.monotonic() - self._started, 1e-9)
            pools = list(self._pools.values())
            self.progress({"cases": self.cases_run, "cases_per_second": self.cases_run / elapsed,
                           "divergences": len(self.findings), "signatures": signatures,
                           "worker_restarts": sum(p.restarts for p in pools),
                           "crashed_runs": sum(p.crashed for p in pools)})

    def _where(self, finding: Finding) -> None:
        """Run the reduced case on every interpreter of the campaign and note where it diverges
        (the search stops at the first interpreter that diverges)."""
        if self.across:
            return
        for interpreter in self.interpreters:
            target, reference = self._pools[interpreter].run(finding.case, [self.target, self.reference],
                                                             self.timeout)
            self.cases_run += 1
            verdict = compare(finding.case["id"], interpreter.label, target, reference,
                              self._rules.get(interpreter, self.ignore))
            (finding.reproduces_on if verdict.status == "failed" else finding.passes_on).append(interpreter.label)

    def _known_change(self, finding: Finding) -> bool:
        """Across versions: a divergence that only shows a version change found already is not
        searched again (counted in known_changes_seen), so the time goes to other changes: the
        same key, or at the same boundary a known cause whose ablation makes it vanish."""
        if not self.across:
            return False
        known = finding.root in self._roots
        if not known:
            boundary, present = finding.root[0], set(features_of(finding.case))
            known = any(self._vanishes(finding, cause) for root_boundary, kind, cause in
                        (root[:3] for root in self._roots) if kind == "cause" and root_boundary == boundary
                        and set(cause) <= present)
        if known:
            with self._lock:
                self.known_changes_seen += 1
        return known

    def _vanishes(self, finding: Finding, features) -> bool:
        """Whether the versions on each side of `finding`'s change observe alike once `features`
        of its case are replaced by their plain counterparts (conformance/_causes.py)."""
        older, newer = boundary_pair(finding.groups)
        _, groups = self._judge(case_from(ablate(finding.case, features)))
        self.cases_run += 1
        return any(older in labels and newer in labels for labels, _ in groups)

    def _cause(self, finding: Finding) -> tuple:
        """The features of a cross-version finding's reduced case each of whose ablation makes
        its change vanish: what the change is about, whatever field it first shows in."""
        return tuple(name for name in features_of(finding.case) if self._vanishes(finding, [name]))

    def _add(self, finding: Finding, known: set) -> None:
        finding = self._reduce(finding)
        self._where(finding)
        known.add(finding.signature)
        if self.across:
            finding.cause = self._cause(finding)
            self._roots.add(finding.root)
        self.findings.append(finding)
        self._report_progress(len(known))

    def run(self, seconds: float | None = None, examples: int | None = None) -> list[Finding]:
        """Fuzz until `seconds` pass or `examples` generated cases have run (cases run while
        shrinking not counted); Ctrl-C stops early and keeps what was found."""
        self._started = time.monotonic()
        deadline = self._started + (seconds if seconds is not None else 10 ** 9)
        rng = random.Random(self.seed)
        known: set = set()
        database = self._database()
        sides = [self.target] if self.across else [self.target, self.reference]
        for interpreter in self.interpreters:
            self._pools[interpreter] = Pool(interpreter, self.jobs, targets=sides)
            self._rules[interpreter] = list(self.ignore) + (
                [] if self.across else self._pools[interpreter].declared_ignores(*sides))
        self._threads = max(1, sum(pool.size for pool in self._pools.values()))  # one per worker
        self._executor = ThreadPoolExecutor(self._threads)
        try:
            while self._more(deadline, None):  # what earlier campaigns found, replayed first
                replayed = self._shrink_or_replay(_Database(database), rng.getrandbits(64), known)
                if replayed is None:
                    break
                self._add(replayed, known)
            while self._more(deadline, examples):
                found = self._explore(rng, deadline, examples, known)
                if found is None:
                    break
                data, finding = found
                seeded = _Database(database, seed=data)
                self._add(self._shrink_or_replay(seeded, rng.getrandbits(64), known, finding), known)
        except KeyboardInterrupt:
            pass
        finally:
            for pool in self._pools.values():  # first: the runs still in flight end now
                pool.close()
                self.worker_restarts += pool.restarts
                self.retried_runs += pool.retried
                self.crashed_runs += pool.crashed
            self._executor.shutdown(cancel_futures=True)
            self._pools.clear()
            self.elapsed_seconds = time.monotonic() - self._started
        self.findings = group_findings(self.findings)
        return self.findings
