"""The differential fuzzer's search: generated cases, run on a target and a reference (or on
several interpreters), until a divergence with a new signature turns up.

A campaign first replays what earlier campaigns found (Hypothesis's example database), then
searches: random byte strings, each decoded to a case (strategies.generated_case), streamed to
the worker pools so that no worker waits for the host. The first divergence whose signature is
new is handed to Hypothesis to shrink (fewer files, fewer steps, plainer choices), then the case
reducer deletes what is left to delete (conformance/_shrinking.py); the search goes on for other
signatures until the time or case budget is spent. Random bytes rather than Hypothesis's own
generation: it costs the host microseconds, not milliseconds, a case, and repeats no case. Across
versions, changes found already are steered away from (conformance/_causes.py). At the end,
findings of one root cause are grouped into one (conformance/_findings.py).
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

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from conformance._causes import KnownChanges
from conformance._compare import Divergence, Verdict, compare, observation
from conformance._findings import Finding, group_findings, signature_of
from conformance._interpreters import Interpreter
from conformance._pool import Pool, is_own_target
from conformance._shrinking import Shrinker, ShrinkDatabase
from strategies import DEFAULT, Policy, describe_policy, generated_case, generated_size

__all__ = ["Campaign", "Finding", "default_jobs", "group_findings", "signature_of"]

IN_FLIGHT = 3  # cases queued per worker, so that none waits while the host decodes the next
PROGRESS_EVERY = 50  # cases between progress reports
CACHE = Path(".conformance_cache")


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
    _pending: list = field(default_factory=list)  # new divergences found while another was chosen
    _generated: int = 0
    _threads: int = 1
    _rules: dict = field(default_factory=dict)  # interpreter -> the IgnoreRules in force there
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self._changes = KnownChanges(self._judge_counted)  # across: the version changes found so far

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

    def _judge_counted(self, case: dict) -> tuple[Divergence | None, list]:
        """_judge with a process per run, counted in cases_run (shrinking, reduction, causes)."""
        verdict = self._judge(case)
        with self._lock:
            self.cases_run += 1
        return verdict

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

    def _database(self) -> ExampleDatabase:
        key = hashlib.sha1(json.dumps([self.target, self.reference, self.across, [i.label for i in self.interpreters],
                                       describe_policy(self.policy)]).encode()).hexdigest()[:16]
        return DirectoryBasedExampleDatabase(str(self.cache / "hypothesis" / key))

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
        """Across versions: a divergence that only shows version changes found already is not
        searched again (counted in known_changes_seen), so the time goes to other changes
        (conformance/_causes.py: the same root, or one that vanishes once they are undone)."""
        if not self.across or not self._changes.shows_known(finding):
            return False
        with self._lock:
            self.known_changes_seen += 1
        return True

    def _add(self, finding: Finding, known: set) -> None:
        finding = self._shrinker.reduce(finding)
        self._where(finding)
        known.add(finding.signature)
        if self.across:
            self._changes.add(finding)
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
        self._shrinker = Shrinker(self.policy, self.interpreters, self._judge_counted, self._known_change)
        try:
            while self._more(deadline, None):  # what earlier campaigns found, replayed first
                replayed = self._shrinker.shrink_or_replay(ShrinkDatabase(database), rng.getrandbits(64), known)
                if replayed is None:
                    break
                self._add(replayed, known)
            while self._more(deadline, examples):
                found = self._explore(rng, deadline, examples, known)
                if found is None:
                    break
                data, finding = found
                seeded = ShrinkDatabase(database, seed=data)
                self._add(self._shrinker.shrink_or_replay(seeded, rng.getrandbits(64), known, finding), known)
            if self.across:  # one change per finding: those the others explain are absorbed
                self.findings = self._changes.absorb_explained(self.findings)
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
