"""How a fuzz campaign judges a case: whether it diverges, and what a divergence shows.

A PairJudge runs a target against a reference on each interpreter: a divergence is a field they
observe otherwise, after the intended differences (ignore rules) and an expectation file. A search
whose runs shared a process (in-process isolation, or a case's two runs in one fork) confirms what
it found with a process per run that never ran another case; everything else a judge runs (shrinking,
reduction, where a finding reproduces) runs that way too, where it is cheap (not in a runtime
started per run: Pyodide's). An AcrossJudge runs one target
on several versions: a divergence is a version change, steered away from once found
(conformance/_changes.py, KnownChanges). The campaign (conformance/_fuzz.py) searches; the judge
tells it what it found.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Callable

from conformance._changes import KnownChanges, across_root
from conformance._compare import Divergence, Verdict, compare, observation
from conformance._features import features_of
from conformance._findings import signature_of
from conformance._interpreters import Interpreter
from conformance._targets import may_share_process
from conformance._versions import parse_version

__all__ = ["AcrossJudge", "Judge", "PairJudge"]


class Judge:
    """What both judges share: the interpreters and the target, the pools the campaign hands
    them (`start`), and counts of what they set aside."""

    def __init__(self, interpreters: list[Interpreter], target: str, timeout: float, ignore=()):
        self.interpreters, self.target, self.timeout = interpreters, target, timeout
        self.ignore = list(ignore)  # IgnoreRules given (--ignore)
        self.pools: dict = {}
        self.shared_process = False  # whether the search runs a case's sides in one process
        self.in_process = False  # whether the search runs in the workers' own processes (set by start)
        self.reduces_by_cause = False  # whether a finding's case is reduced to its cause (_shrinking.py)
        self.ignored_differences = 0  # intended differences set aside (ignore rules)
        self.ignored_cases = 0  # cases (on an interpreter) with an intended difference set aside
        self.expected_divergences = 0  # divergences the expectation file covers
        self.unconfirmed = 0  # divergences of a shared process that one process per run did not repeat
        self.known_changes_seen = 0  # across: divergences that only showed a version change found already
        self.watched: frozenset = frozenset()  # interpreters whose search runs report their branches (guide())
        self._lock = threading.Lock()
        self._reached = threading.local()  # a search thread's branches: interpreter label -> [branch]

    @property
    def sides(self) -> list[str]:
        """The specs each case runs, on each interpreter."""
        return [self.target]

    @property
    def ignore_rules(self) -> list:
        """The IgnoreRules in force on any interpreter."""
        return list({rule.pattern: rule for rule in self.ignore}.values())

    def start(self, pools: dict) -> None:
        """The campaign's pools (interpreter -> Pool), started."""
        self.pools = pools
        self.in_process = any(pool.in_process or pool.interpreter.launcher for pool in pools.values())

    def guide(self) -> None:
        """Have the search's runs report the branches of importlib they reach (a guided search): on
        the interpreters that watch them with sys.monitoring (CPython 3.12+), at almost no cost, if the
        campaign has one; else on all of them (a trace function, which halves the rate)."""
        monitored = [i for i in self.interpreters if i.implementation == "cpython" and i.version >= (3, 12)]
        self.watched = frozenset(monitored or self.interpreters)

    @property
    def guided(self) -> bool:
        """Whether any of the search's runs report their branches."""
        return bool(self.watched)

    @property
    def confirms(self) -> bool:
        """Whether what the search finds needs confirming with a process per run."""
        return self.shared_process or self.in_process

    def runs(self, interpreter: Interpreter, case: dict, targets: list[str], how: str) -> list[dict]:
        """The results of `case` on `targets` on one interpreter, run as the search runs them
        (`how` "search", or "shrink": the same, for one case at a time), as a verdict is made
        ("judge": a process per run, a fresh one where that is cheap), or to confirm ("confirm":
        a fresh process, or runtime, per run)."""
        pool = self.pools[interpreter]
        if how == "search" and interpreter in self.watched:
            results = pool.run(case, targets, self.timeout, shared_process=self.shared_process, branches=True)
            reached = self._reached.__dict__.setdefault("branches", {})
            for result in results:
                reached.setdefault(interpreter.label, []).extend(result.pop("branches", ()))
            return results
        if how in ("search", "shrink"):
            return pool.run(case, targets, self.timeout, shared_process=self.shared_process)
        return pool.run(case, targets, self.timeout, fresh=how == "confirm" or pool.in_process)

    def reached(self) -> dict[str, list[str]]:
        """The branches of importlib this thread's last search() reached first in its workers'
        processes (guided: see conformance/_guidance.py), by interpreter label; then forgotten."""
        return self._reached.__dict__.pop("branches", {})

    def judge(self, case: dict) -> tuple[Divergence | None, list]:
        """Run `case` everywhere it must run, a process per run: its divergence (or None) and,
        across versions, the groups of versions that observe alike."""
        return self._run(case, "judge")

    def search(self, case: dict) -> tuple[Divergence | None, list]:
        """judge(), as the search runs it: in-process, or a case's runs in one fork, where that is
        safe (see confirm)."""
        return self._run(case, "search")

    def shrink(self, case: dict) -> tuple[Divergence | None, list]:
        """search(), for shrinking and reducing one case (what it ends at is confirmed)."""
        return self._run(case, "shrink")

    def confirm(self, case: dict, divergence: Divergence, groups: list) -> tuple[Divergence | None, list]:
        """A divergence search() or shrink() found, as a fresh process per run sees it: one that does not
        recur is the harness's (counted in `unconfirmed`), not the target's."""
        if not self.confirms:
            return divergence, groups
        verdict = self._run(case, "confirm")
        if verdict[0] is None:
            with self._lock:
                self.unconfirmed += 1
        return verdict

    def confirms_finding(self, finding) -> bool:
        """Whether `finding`, shrunk and reduced with shrink(), recurs as a fresh process per run
        sees it: the same signature and, across versions, the same groups. If it does, it takes
        the fresh runs' observations; if not, it is counted in `unconfirmed`."""
        if not self.confirms:
            return True
        divergence, groups = self._run(finding.case, "confirm")
        if (divergence is None or signature_of(finding.case, divergence) != finding.signature
                or [labels for labels, _ in groups] != [labels for labels, _ in finding.groups]):
            with self._lock:
                self.unconfirmed += 1
            return False
        finding.divergence, finding.groups = divergence, groups
        return True

    def _run(self, case: dict, how: str) -> tuple[Divergence | None, list]:
        """The verdict on `case`, its runs made as `how` says (runs())."""
        raise NotImplementedError

    def shows_known(self, finding, runs: bool = True) -> bool:
        """Whether `finding` shows only what was found already (and is not searched again);
        without `runs`, as far as that is known without running anything."""
        return False

    def same_change(self, finding, other) -> bool:
        """Whether two findings of one search show one change (across versions: one root)."""
        return False

    def where(self, finding) -> int:
        """Note on `finding` where its reduced case diverges; returns the runs that took."""
        return 0

    def found(self, finding) -> None:
        """`finding`, reduced, is one of the campaign's."""

    def finish(self, findings: list) -> list:
        """The campaign's findings once the search is over."""
        return findings


class PairJudge(Judge):
    """Target against reference on each interpreter; the first interpreter where they diverge
    (beyond the ignore rules and what `expectations` expects) gives the divergence.
    `process_per_run`: never let the search run both sides in one process."""

    def __init__(self, interpreters, target: str, reference: str, timeout: float, ignore=(),
                 expectations=None, process_per_run: bool = False):
        super().__init__(interpreters, target, timeout, ignore)
        self.reference, self.expectations = reference, expectations
        self.shared_process = not process_per_run and may_share_process(target, reference)
        self.reduces_by_cause = True  # across versions, a case keeps its version change instead
        self._rules: dict = {}  # interpreter -> the IgnoreRules in force there

    @property
    def sides(self) -> list[str]:
        return [self.target, self.reference]

    @property
    def ignore_rules(self) -> list:
        """--ignore, the targets' declarations and the runtimes' profiles, on any interpreter."""
        return list({rule.pattern: rule for rules in self._rules.values() for rule in rules}.values())

    def start(self, pools: dict) -> None:
        super().start(pools)
        self._rules = {interpreter: pool.ignore_rules(self.sides, self.ignore) for interpreter, pool in pools.items()}

    def _run(self, case: dict, how: str) -> tuple[Divergence | None, list]:
        for interpreter in self.interpreters:
            if how in ("search", "shrink") and self.shared_process:  # the reference first, as a process of its own sees it
                reference, target = self.runs(interpreter, case, [self.reference, self.target], how)
            else:
                target, reference = self.runs(interpreter, case, [self.target, self.reference], how)
            verdict: Verdict = compare(case["id"], interpreter.label, target, reference,
                                       self._rules.get(interpreter, self.ignore), features_of(case))
            if verdict.ignored:
                with self._lock:
                    self.ignored_differences += len(verdict.ignored)
                    self.ignored_cases += 1
            if verdict.status == "failed":
                if self.expectations is not None and self.expectations.assess(verdict).kind == "expected":
                    with self._lock:
                        self.expected_divergences += 1
                    continue
                return verdict.divergence, []
        return None, []

    def where(self, finding) -> int:
        """Run the reduced case on every interpreter of the campaign and note where it diverges
        (the search stops at the first interpreter that diverges)."""
        for interpreter in self.interpreters:
            target, reference = self.runs(interpreter, finding.case, [self.target, self.reference], "judge")
            verdict = compare(finding.case["id"], interpreter.label, target, reference,
                              self._rules.get(interpreter, self.ignore), features_of(finding.case))
            (finding.reproduces_on if verdict.status == "failed" else finding.passes_on).append(interpreter.label)
        return len(self.interpreters)


class AcrossJudge(Judge):
    """One target on several versions: a case diverges where they do not all observe alike; the
    divergence is at the first boundary (versions in order, one that observes otherwise than the
    one before) whose change is not found already, between the versions alike on each side of it
    (a case showing find_loader's 3.10 warning words and its 3.12 removal shows the removal once
    the words are found). `run_counted` is judge() as the campaign counts it, for the runs that
    tell a change's cause."""

    def __init__(self, interpreters, target: str, timeout: float, ignore=(),
                 run_counted: Callable[[dict], tuple] | None = None):
        super().__init__(interpreters, target, timeout, ignore)
        run_counted = run_counted or self.judge
        self.changes = KnownChanges(partial(self._every_version, run_counted))  # the version changes found so far
        self._versions: ThreadPoolExecutor | None = None  # runs a case on every version at once
        self._whole = threading.local()  # set while a run's groups must hold every version (causes)

    def _every_version(self, run: Callable[[dict], tuple], case: dict) -> tuple:
        """run(case), its groups holding every version, whatever boundary it diverges at: the
        runs that tell a change's cause ask whether two versions observe alike."""
        self._whole.on = True
        try:
            return run(case)
        finally:
            self._whole.on = False

    def _run(self, case: dict, how: str) -> tuple[Divergence | None, list]:
        """The search runs the versions one after another (its threads keep every worker busy);
        what runs one case at a time (shrinking, causes, confirmation) runs them all at once."""
        if how == "search":
            results = [(i, self.runs(i, case, [self.target], how)[0]) for i in self.interpreters]
        else:
            with self._lock:
                if self._versions is None:
                    self._versions = ThreadPoolExecutor(len(self.interpreters), thread_name_prefix="versions")
            runs = [self._versions.submit(self.runs, i, case, [self.target], how) for i in self.interpreters]
            results = [(i, run.result()[0]) for i, run in zip(self.interpreters, runs)]
        results = [(i.label, _gone_is_shown(r)) for i, r in results]
        groups = _grouped(results)
        if "unsupported" in {r["outcome"] for _, r in results} or len(groups) < 2:
            return None, groups
        if not getattr(self._whole, "on", False):
            results = self._from_new_boundary(results)
            groups = _grouped(results)
        first, second = results[0][1], next(r for _, r in results if observation(r) != groups[0][1])
        verdict = compare(case["id"], " vs ".join(g[0][0] for g in groups[:2]), first, second)
        return verdict.divergence, groups

    def _from_new_boundary(self, results: list) -> list:
        """`results` (label, result) from the versions alike before the first boundary whose
        change is not found already on (all of them, as given, for the first boundary or where
        every boundary's change is found)."""
        timeline = sorted(results, key=lambda item: parse_version(item[0]))
        starts = [index for index in range(len(timeline))
                  if index == 0 or observation(timeline[index][1]) != observation(timeline[index - 1][1])]
        for boundary, start in enumerate(starts[:-1]):
            part = results if boundary == 0 else timeline[start:]
            if across_root(_grouped(part)) not in self.changes.roots:
                return part
        return results

    def shows_known(self, finding, runs: bool = True) -> bool:
        """A divergence that only shows version changes found already is not searched again
        (counted in known_changes_seen), so the time goes to other changes (the same root, or one
        that vanishes once they are undone: conformance/_changes.py; without `runs`, the root)."""
        if not self.changes.shows_known(finding, runs):
            return False
        with self._lock:
            self.known_changes_seen += 1
        return True

    def same_change(self, finding, other) -> bool:
        return finding.root == other.root

    def found(self, finding) -> None:
        self.changes.add(finding)

    def finish(self, findings: list) -> list:
        """One change per finding: those the others explain are absorbed."""
        return self.changes.absorb_explained(findings)


def _grouped(results: list) -> list[tuple[list[str], dict]]:
    """(labels, observation) for each observation of `results` (label, result), in their order."""
    groups: list[tuple[list[str], dict]] = []
    for label, result in results:
        obs = observation(result)
        for labels, seen in groups:
            if seen == obs:
                labels.append(label)
                break
        else:
            groups.append(([label], obs))
    return groups


def _gone_is_shown(result: dict) -> dict:
    """Across versions a function that some of them lack (find_loader from 3.12) is a change to
    report, not a case to skip: a run that stopped at a step whose function the version does not
    have counts as run, that step's outcome `unsupported` (a case without lazy imports stays unsupported)."""
    if result["outcome"] == "unsupported" and any(step.get("outcome") == "unsupported" for step in result["steps"]):
        return {**result, "outcome": "ok"}
    return result
