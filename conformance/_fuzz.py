"""The differential fuzzer: generated cases, run on a target and a reference (or on several
interpreters), every divergence shrunk by Hypothesis to a minimal case and deduplicated.

A campaign is a series of Hypothesis searches (rounds). Each example is a fixed-size batch of
cases run in parallel on the worker pools; the first divergence whose signature is new fails the
example and is shrunk: while Hypothesis shrinks, only the case at that index runs (fewer files,
fewer steps, plainer choices), then the case reducer deletes what is left to delete. Its signature
is then known, and the next round looks for others, until the time or example budget is spent.
"""
from __future__ import annotations

import hashlib
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from conformance._check import Pool
from conformance._compare import Divergence, Verdict, compare, observation
from conformance._interpreters import Interpreter
from conformance._reduce import reduce_case
from strategies import DEFAULT, Policy, build_case, case_from, raw_batches

__all__ = ["Campaign", "Finding", "signature_of"]

BATCH = 24  # cases per Hypothesis example: generation is paid once per batch
SHRINK_SECONDS = 8.0  # Hypothesis shrinks this long; the case reducer then finishes the job
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

    @property
    def slug(self) -> str:
        return hashlib.sha1(repr(self.signature).encode()).hexdigest()[:10]


def _generalise(path: str) -> str:
    """A field path with the parts that name generated things (modules, paths) wildcarded."""
    path = re.sub(r"\[\d+\]", "[]", path)
    path = re.sub(r"^(final\.modules|final\.path_importer_cache)\.[^.]+", r"\1.*", path)
    return re.sub(r"\.attrs\.[^.]+$", ".attrs.*", path)


def signature_of(case: dict, divergence: Divergence) -> tuple:
    """What kind of divergence: the op of the first differing step, its generalised differing
    fields, and the exception types on each side."""
    first = divergence.steps()[0]
    steps = case.get("steps", [])
    op = steps[first]["op"] if first is not None and first < len(steps) else "case"
    fields = sorted({_generalise(d.path) for d in divergence.differences
                     if first is None or d.path.startswith("steps[%d]" % first)})
    kinds = []
    for side in (divergence.target, divergence.reference):
        step = side["steps"][first] if first is not None and first < len(side["steps"]) else {}
        kinds.append(step.get("exception", {}).get("type") if isinstance(step, dict) else None)
    return (op, tuple(fields[:6]), tuple(kinds))


class _SaveOnlyDatabase(ExampleDatabase):
    """For a campaign's later rounds: new divergences are saved for the next campaign, but
    nothing is replayed or deleted (the first round has replayed what earlier campaigns found,
    and a later round would see those as passing, their signatures known, and delete them)."""

    def __init__(self, inner: ExampleDatabase):
        super().__init__()
        self._inner = inner

    def save(self, key, value):
        self._inner.save(key, value)

    def fetch(self, key):
        return iter(())

    def delete(self, key, value):
        pass

    def move(self, src, dest, value):
        pass


@dataclass
class Campaign:
    """One fuzzing campaign: target against reference on each interpreter, or (across=True)
    one target on several interpreters."""

    interpreters: list[Interpreter]
    target: str
    reference: str = "stdlib"
    across: bool = False
    jobs: int = 2
    timeout: float = 5.0
    seed: int | None = None
    policy: Policy = DEFAULT
    cache: Path = CACHE
    progress: Callable[[dict], None] | None = None
    findings: list[Finding] = field(default_factory=list)
    cases_run: int = 0
    elapsed_seconds: float = 0.0
    _pools: dict = field(default_factory=dict)
    _executor: ThreadPoolExecutor | None = None
    _verdicts: dict = field(default_factory=dict)  # case id -> (divergence, groups), this round

    # -- running cases -----------------------------------------------------------------
    def _judge(self, case: dict) -> tuple[Divergence | None, list]:
        """Run one case everywhere it must run; the divergence (if any) and cross-version groups."""
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
            target, reference = self._pools[interpreter].run(case, [self.target, self.reference], self.timeout)
            verdict: Verdict = compare(case["id"], interpreter.label, target, reference)
            if verdict.status == "failed":
                return verdict.divergence, []
        return None, []

    def _run_batch(self, batch: list[dict]) -> list[tuple[dict, Divergence | None, list]]:
        """Judge each case, or recall its verdict: while Hypothesis shrinks the other cases of a
        batch, the divergent one comes back unchanged and need not run again."""
        fresh = [case for case in batch if case["id"] not in self._verdicts]
        for case, verdict in zip(fresh, self._executor.map(self._judge, fresh)):
            self._verdicts[case["id"]] = verdict
        self.cases_run += len(fresh)
        judged = [self._verdicts[case["id"]] for case in batch]
        return [(case, divergence, groups) for case, (divergence, groups) in zip(batch, judged)]

    # -- searching -----------------------------------------------------------------------
    def _round(self, known: set, seed: int, examples: int, deadline: float, first: bool) -> Finding | None:
        state: dict[str, Any] = {"pinned": None, "index": None, "last": None, "shrink_until": None}
        self._verdicts.clear()
        key = hashlib.sha1(("%s|%s|%s|%s" % (self.target, self.reference, self.across, [
            i.label for i in self.interpreters])).encode()).hexdigest()[:16]

        database = DirectoryBasedExampleDatabase(str(self.cache / "hypothesis" / key))

        @settings(database=database if first else _SaveOnlyDatabase(database), max_examples=examples,
                  deadline=None, suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                  phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink], print_blob=False)
        @hypothesis_seed(seed)
        @given(raw_batches(BATCH, self.policy))
        def probe(parts):
            now = time.monotonic()
            if state["pinned"] is None and now > deadline:
                return  # out of time: the remaining examples pass without running
            if state["shrink_until"] is not None and now > state["shrink_until"]:
                return  # shrinking has had its time; keep the smallest found so far
            policy, raw = parts
            indices = range(len(raw)) if state["index"] is None else [state["index"]]
            judged = self._run_batch([build_case(policy, raw[i]) for i in indices])
            for index, (case, divergence, groups) in zip(indices, judged):
                if divergence is None:
                    continue
                signature = signature_of(case, divergence)
                if signature in known or state["pinned"] not in (None, signature):
                    continue
                if state["pinned"] is None:
                    state["pinned"], state["index"] = signature, index
                    state["shrink_until"] = time.monotonic() + SHRINK_SECONDS
                state["last"] = Finding(signature, case, divergence, list(self.interpreters), groups)
                self._report_progress(len(known) + 1)
                raise _Divergent(repr(signature))

        try:
            probe()
        except Exception:  # _Divergent, or Hypothesis's report of it (a flaky final replay, say)
            if state["last"] is None:
                raise
            return state["last"]
        return None

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
            self.progress({"cases": self.cases_run, "cases_per_second": self.cases_run / elapsed,
                           "divergences": len(self.findings), "signatures": signatures})

    def run(self, seconds: float | None = None, examples: int | None = None) -> list[Finding]:
        """Fuzz until `seconds` pass or `examples` batches have run; Ctrl-C stops early and
        keeps what was found."""
        self._started = time.monotonic()
        deadline = self._started + (seconds if seconds is not None else 10 ** 9)
        randomness = random.Random(self.seed)
        known: set = set()
        remaining, rounds = examples, 0
        for interpreter in self.interpreters:
            self._pools[interpreter] = Pool(interpreter, self.jobs)
        self._executor = ThreadPoolExecutor(max(1, self.jobs * len(self.interpreters)))
        try:
            while time.monotonic() < deadline and (remaining is None or remaining > 0):
                chunk = 50 if remaining is None else min(50, remaining)
                before = self.cases_run
                finding = self._round(known, randomness.getrandbits(64), chunk, deadline, rounds == 0)
                rounds += 1
                if finding is not None:
                    finding = self._reduce(finding)
                    known.add(finding.signature)
                    self.findings.append(finding)
                if remaining is not None:
                    remaining -= chunk
                self._report_progress(len(known))
                if finding is None and self.cases_run == before:
                    break  # nothing ran: the deadline passed inside the round
        except KeyboardInterrupt:
            pass
        finally:
            self._executor.shutdown()
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()
            self.elapsed_seconds = time.monotonic() - self._started
        return self.findings
