"""The differential fuzzer's search: generated cases, run on a target and a reference (or on
several interpreters), until a divergence with a new signature turns up.

A campaign first replays what earlier campaigns found (Hypothesis's example database), then
searches: random byte strings, each decoded to a case (strategies.generated_case), streamed to
the worker pools so that no worker waits for the host. The search runs in the workers' own
processes (in-process isolation, the import state restored after each run) unless told to fork;
each new divergence it finds is confirmed with a fresh process per run before it counts. The first
divergence whose signature is new is handed to Hypothesis to shrink (fewer files, fewer steps,
plainer choices), then the case reducer deletes what is left to delete (conformance/_shrinking.py),
their runs made as the search makes them; the minimal case is confirmed in fresh processes again
(if it does not recur, shrinking starts over with a fresh process per run). The search goes on for
other signatures until the time or case budget is spent. Random bytes rather than Hypothesis's own
generation: it costs the host microseconds, not milliseconds, a case, and repeats no case. Where the
runs are in-process the search is coverage-guided (conformance/_guidance.py): the workers report the
branches of importlib each case reached first, and inputs that reached new ones are kept and
mutated beside fresh draws (`guidance=False`: every input fresh, the unguided search). Across
versions, changes found already are steered away from. Whether a case diverges is the judge's
to say (conformance/_judges.py: target against reference, or one target across versions). At the
end, findings of one root cause are grouped into one (conformance/_findings.py).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from conformance._compare import Divergence
from conformance._findings import Finding, group_findings, signature_of
from conformance._guidance import Guide, Layout
from conformance._interpreters import Interpreter
from conformance._judges import AcrossJudge, Judge, PairJudge
from conformance._pool import Pool, RunCounts
from conformance._shrinking import CAUSE_SHRINK_SECONDS, SHRINK_SECONDS, Shrinker, ShrinkDatabase
from conformance.strategies import (DEFAULT, Policy, describe_policy, generated_allowing, generated_case, generated_parts,
                        generated_size, generated_steps, generated_with_steps)

__all__ = ["Campaign", "Finding", "default_jobs", "group_findings", "signature_of"]

IN_FLIGHT = 3  # cases queued per worker, so that none waits while the host decodes the next
PROGRESS_EVERY = 50  # cases between progress reports
CACHE = Path(".conformance_cache")


def default_jobs() -> int:
    """Workers per interpreter: one more than the cores, so that no core idles while the host
    compares a reply and sends the next case (measured: about 5% more cases per second)."""
    return (os.cpu_count() or 1) + 1


@dataclass
class Campaign:
    """One fuzzing campaign: target against reference on each interpreter, or (across=True)
    one target on several interpreters. `judge` says whether a case diverges (PairJudge or
    AcrossJudge) and counts what it set aside; `counts`, what befell the workers."""

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
    process_per_run: bool = False  # never search with reference and target in one process
    isolation: str | None = None  # how the search isolates its runs: inprocess (the default), fork or subprocess
    ignore: list = field(default_factory=list)  # IgnoreRules (--ignore); targets' declarations join them
    expectations: Any = None  # an Expectations file: divergences it expects are counted, not findings
    guidance: bool = True  # coverage-guided search where the runs are in-process (conformance/_guidance.py)
    guide: Guide | None = None  # the guided search's corpus and coverage, set by run()
    findings: list[Finding] = field(default_factory=list)
    cases_run: int = 0
    counts: RunCounts = field(default_factory=RunCounts)  # set when the campaign ends
    elapsed_seconds: float = 0.0
    _pools: dict = field(default_factory=dict)
    _executor: ThreadPoolExecutor | None = None
    _pending: list = field(default_factory=list)  # new divergences found while another was chosen
    _generated: int = 0
    _threads: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _interrupted: bool = False  # Ctrl-C seen: the search stops even if its KeyboardInterrupt was lost

    def _interrupt(self, signum, frame) -> None:
        self._interrupted = True
        raise KeyboardInterrupt

    def __post_init__(self):
        if self.isolation is None:
            self.isolation = "fork" if self.process_per_run else "inprocess"
        if self.process_per_run and self.isolation == "inprocess":
            raise ValueError("a process per run is not in-process isolation")
        self.judge: Judge = (AcrossJudge(self.interpreters, self.target, self.timeout, self.ignore, self._judge_counted)
                             if self.across else
                             PairJudge(self.interpreters, self.target, self.reference, self.timeout, self.ignore,
                                       self.expectations, self.process_per_run))
        seconds = CAUSE_SHRINK_SECONDS if self.judge.reduces_by_cause else SHRINK_SECONDS
        self._shrinker = Shrinker(self.policy, self.interpreters, self._shrink_counted, self.judge.shows_known, seconds)
        self._fresh_shrinker = Shrinker(self.policy, self.interpreters, self._judge_counted, self.judge.shows_known,
                                        seconds)  # where what _shrinker ends at does not recur

    def _judge_counted(self, case: dict) -> tuple[Divergence | None, list]:
        """The judge's verdict with a process per run, counted in cases_run (causes; shrinking
        and reduction where a shrunk case did not recur)."""
        verdict = self.judge.judge(case)
        with self._lock:
            self.cases_run += 1
        return verdict

    def _shrink_counted(self, case: dict) -> tuple[Divergence | None, list]:
        """The judge's verdict as the search makes it (in-process, say), counted in cases_run
        (shrinking and reduction: what they end at is confirmed)."""
        verdict = self.judge.shrink(case)
        with self._lock:
            self.cases_run += 1
        return verdict

    # -- searching -----------------------------------------------------------------------
    def _more(self, deadline: float, budget: int | None) -> bool:
        return (not self._interrupted and time.monotonic() < deadline and (budget is None or self._generated < budget)
                and (self.max_findings is None or len(self.findings) < self.max_findings))

    def _explore(self, rng: random.Random, deadline: float, budget: int | None, known: set) -> tuple | None:
        """Random cases, IN_FLIGHT per worker queued at all times, until one diverges with a
        signature not in `known`: (its bytes, the Finding), or None when the budget is spent.
        Other new divergences still in flight wait in self._pending for the next call."""
        while self._pending:
            data, finding = self._pending.pop(0)
            if finding.signature not in known and not self.judge.shows_known(finding):
                return data, finding
        size = generated_size(self.policy)
        window = IN_FLIGHT * self._threads
        in_flight: deque = deque()
        found = None
        try:
            while True:
                while found is None and len(in_flight) < window and self._more(deadline, budget):
                    data = self.guide.draw(rng) if self.guide is not None else rng.randbytes(size)
                    case = generated_case(self.policy, data)
                    in_flight.append((data, self._executor.submit(self._search, case, known)))
                    self._generated += 1
                if not in_flight:
                    return found
                data, future = in_flight.popleft()
                finding, reached = future.result()
                self.cases_run += 1
                if reached:
                    self.guide.reached(data, reached, self.cases_run)
                if self.cases_run % PROGRESS_EVERY == 0:
                    self._report_progress(len(known))
                if finding is None or finding.signature in known:  # none, or found meanwhile
                    continue
                if found is not None and (finding.signature == found[1].signature
                                          or self.judge.same_change(finding, found[1])):
                    continue
                if found is None:
                    found = (data, finding)
                else:
                    self._pending.append((data, finding))
        finally:
            for _, future in in_flight:  # Ctrl-C: drop what has not started
                future.cancel()

    def _search(self, case: dict, known: set) -> tuple[Finding | None, dict]:
        """In a search thread: the Finding `case` makes, confirmed where the search shared a
        process (a divergence found already is not confirmed again: nothing would count), or None
        if it does not diverge, or only shows what was found already; and the branches its runs
        reached (guided: Judge.reached)."""
        finding = self._finding(case, *self.judge.search(case), known)
        reached = self.judge.reached()
        if finding is not None and self.judge.confirms:
            if self.judge.shows_known(finding, runs=False):  # known as found: no runs to confirm it
                return None, reached
            finding = self._finding(case, *self.judge.confirm(case, finding.divergence, finding.groups), known)
        return (None if finding is None or self.judge.shows_known(finding) else finding), reached

    def _finding(self, case: dict, divergence: Divergence | None, groups: list, known: set) -> Finding | None:
        """The Finding a divergence makes, None if there is none or its signature is known."""
        if divergence is None:
            return None
        signature = signature_of(case, divergence)
        return None if signature in known else Finding(signature, case, divergence, list(self.interpreters), groups)

    def _layout(self) -> Layout:
        """How the search's inputs decode, for the guided search's mutations."""
        return Layout(generated_parts(self.policy), partial(generated_steps, self.policy),
                      partial(generated_with_steps, self.policy), partial(generated_allowing, self.policy),
                      self.policy.max_steps)

    def _database(self) -> ExampleDatabase:
        key = hashlib.sha1(json.dumps([self.target, self.reference, self.across, [i.label for i in self.interpreters],
                                       describe_policy(self.policy)]).encode()).hexdigest()[:16]
        return DirectoryBasedExampleDatabase(str(self.cache / "hypothesis" / key))

    def _report_progress(self, signatures: int) -> None:
        if self.progress:
            elapsed = max(time.monotonic() - self._started, 1e-9)
            counts = RunCounts()
            for pool in self._pools.values():
                counts.add(pool.counts)
            self.progress({"cases": self.cases_run, "cases_per_second": self.cases_run / elapsed,
                           "divergences": len(self.findings), "signatures": signatures, "counts": counts,
                           "branches": self.guide.total if self.guide is not None else None})

    def _minimal(self, database: ExampleDatabase, seed: int, known: set, finding: Finding | None = None) -> Finding | None:
        """`finding` (without one: the first new divergence the database replays) shrunk and
        reduced, its runs made as the search makes them, then confirmed with a fresh process per
        run; where it does not recur (the restore missed something; counted as unconfirmed),
        shrunk and reduced again with a fresh process per run."""
        before = set(known)
        minimal = self._reduced(self._shrinker, database, seed, known, finding)
        if minimal is None or minimal.case is getattr(finding, "case", None) or self.judge.confirms_finding(minimal):
            return minimal  # (the search's own case was confirmed as found)
        known.clear()
        known.update(before)
        return self._reduced(self._fresh_shrinker, database, seed, known, finding)

    def _reduced(self, shrinker: Shrinker, database: ExampleDatabase, seed: int, known: set,
                 finding: Finding | None) -> Finding | None:
        finding = shrinker.shrink_or_replay(database, seed, known, finding)
        if finding is None:
            return None
        known.add(finding.signature)  # as found; reduced by cause, its signature may change
        if self.judge.reduces_by_cause:
            finding = shrinker.localise(shrinker.reduce(finding, same_cause=True))
            known.update(f.signature for f in finding.absorbed)
            return finding
        return shrinker.reduce(finding)

    def _add(self, finding: Finding, known: set) -> None:
        self.cases_run += self.judge.where(finding)
        known.add(finding.signature)
        self.judge.found(finding)
        self.findings.append(finding)
        self._report_progress(len(known))

    def _absorbed_as_found(self, finding: Finding, known: set) -> bool:
        """A new signature whose root a finding of this campaign has already (reduced by cause)
        is listed as absorbed by it, as found: not shrunk or reduced again (its time goes to
        other roots)."""
        host = next((f for f in self.findings if f.root == finding.root), None) if self.judge.reduces_by_cause else None
        if host is None:
            return False
        host.absorbed.append(finding)
        known.add(finding.signature)
        return True

    def run(self, seconds: float | None = None, examples: int | None = None) -> list[Finding]:
        """Fuzz until `seconds` pass or `examples` generated cases have run (cases run while
        shrinking not counted); Ctrl-C stops early and keeps what was found."""
        self._started = time.monotonic()
        deadline = self._started + (seconds if seconds is not None else 10 ** 9)
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, self._interrupt) if in_main else None
        rng = random.Random(self.seed)
        known: set = set()
        database = self._database()
        for interpreter in self.interpreters:
            self._pools[interpreter] = Pool(interpreter, self.jobs, self.isolation, targets=self.judge.sides)
        self.judge.start(self._pools)
        if self.guidance and self.judge.in_process:  # forked runs report no branches
            self.judge.guide()
        self.guide = (Guide(generated_size(self.policy), database, describe_policy(self.policy), self._layout())
                      if self.judge.guided else None)
        self._threads = max(1, sum(pool.size for pool in self._pools.values()))  # one per worker
        self._executor = ThreadPoolExecutor(self._threads)
        try:
            while self._more(deadline, None):  # what earlier campaigns found, replayed first
                replayed = self._minimal(ShrinkDatabase(database), rng.getrandbits(64), known)
                if replayed is None:
                    break
                self._add(replayed, known)
            while self._more(deadline, examples):
                found = self._explore(rng, deadline, examples, known)
                if found is None:
                    break
                data, finding = found
                if self._absorbed_as_found(finding, known):
                    continue
                seeded = ShrinkDatabase(database, seed=data)
                self._add(self._minimal(seeded, rng.getrandbits(64), known, finding), known)
            self.findings = self.judge.finish(self.findings)
        except KeyboardInterrupt:
            pass
        finally:
            for pool in self._pools.values():  # first: the runs still in flight end now
                pool.close()
                self.counts.add(pool.counts)
            self._executor.shutdown(cancel_futures=True)
            self._pools.clear()
            self.elapsed_seconds = time.monotonic() - self._started
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        self.findings = group_findings(self.findings)
        return self.findings
