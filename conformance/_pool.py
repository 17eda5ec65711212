"""A pool of workers of one interpreter that outlives the deaths of its workers.

A worker that dies or stops answering is replaced; the runs it had in flight are tried once
more in a fresh worker (each target alone, so that a run that kills its worker cannot take the
others with it), and only a second loss counts: as outcome `crash` (or `timeout`) with the cause.
A run whose own process was killed by SIGKILL (kill -9, the OOM killer: a run's own faults are
other signals) is tried once more too. A target whose every run kills its worker stops the pool
with one error naming it.

A target that is a module (not the worker's own stdlib, builtin or impl) gets workers of its
own: its import may install finders or patch importlib, and no other target's run, the
reference's least of all, may happen in a process that imported it.

With in-process isolation on a native interpreter, the runs happen in the workers' own processes
(the import state restored after each); a run asked `fresh` goes instead to workers of the same
group that only fork (started when first needed), whose processes never ran a case: what confirms
a divergence, and where a run that cost an in-process worker is tried again. A worker that asks
to be replaced (its `retire`: runs, memory, a thread left running) is, after its reply.

The pool also says which differences are intended where its interpreter runs (`ignore_rules`: the
ones given, the targets' declarations, the runtime's profile), and counts what befell its workers
(`counts`, a RunCounts, which check and fuzz report alike).
"""
from __future__ import annotations

import atexit
import itertools
import os
import queue
import shutil
import signal
import tempfile
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

from conformance._compare import IgnoreRule
from conformance._features import unknown_feature
from conformance._interpreters import Interpreter
from conformance._protocol import Worker, WorkerError, WorkerLost, scratch_parent
from conformance._targets import is_own_target
from conformance._worker.wire import exit_wording

__all__ = ["MAX_LOSSES", "Pool", "PoolClosed", "RunCounts", "TargetKillsWorkers"]

MAX_LOSSES = 5  # a target whose first runs all lose their worker, this many, stops the pool
_KILLED = exit_wording(-signal.SIGKILL)  # a run's own process killed from outside


class PoolClosed(WorkerError):
    """The pool was closed (an interruption, say) while a run was in flight."""


class TargetKillsWorkers(WorkerError):
    """A target lost its worker in each of its first MAX_LOSSES runs: running on would loop."""


@dataclass
class RunCounts:
    """What befell the workers while cases ran, as check and fuzz report it: pools fill it in."""

    worker_restarts: int = 0  # workers that died or hung and were replaced
    retried_runs: int = 0  # runs tried again in a fresh worker after losing theirs
    crashed_runs: int = 0  # runs whose outcome is crash (their process or their worker died)
    recycled_workers: int = 0  # in-process workers replaced as they asked (runs, memory, a thread)

    def add(self, other: RunCounts) -> None:
        self.worker_restarts += other.worker_restarts
        self.retried_runs += other.retried_runs
        self.crashed_runs += other.crashed_runs
        self.recycled_workers += other.recycled_workers

    def parts(self) -> list[str]:
        """["1 worker restart", "2 crashed runs"] for the progress and closing lines; zeros left out."""
        restarts, crashed = self.worker_restarts, self.crashed_runs
        parts = ["%d worker restart%s" % (restarts, "" if restarts == 1 else "s")] if restarts else []
        return parts + (["%d crashed run%s" % (crashed, "" if crashed == 1 else "s")] if crashed else [])

    def to_json(self) -> dict[str, int]:
        return {"worker_restarts": self.worker_restarts, "retried_runs": self.retried_runs,
                "crashed_runs": self.crashed_runs, "recycled_workers": self.recycled_workers}


_OPEN: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for pool in list(_OPEN):
        pool.close()


def interpreter_flags(case: dict[str, Any] | None) -> tuple[str, ...]:
    """The flags the workers for a case's runs start with: -O or -OO for `optimize`, -v for
    `verbose`; none for other cases."""
    case = case or {}
    level = case.get("optimize", 0)
    return (("-" + "O" * level,) if level else ()) + (("-v",) if case.get("verbose") else ())


def _group(spec: str, case: dict[str, Any] | None = None) -> str:
    """Which workers a target's runs go to: "" for the worker's own targets, else its own; for a
    case that needs interpreter flags, workers started with them (FLAGGED and the flags appended)."""
    group = "" if is_own_target(spec) else spec
    flags = interpreter_flags(case)
    return group + FLAGGED + " ".join(flags) if flags else group


FLAGGED = "\0flags "  # in a group: its workers run with the flags that follow (-O, -OO, -v)


FRESH = "\0fresh"  # appended to a group: its workers that only fork (in-process pools)


def lost_result(target: str, lost: WorkerLost) -> dict[str, Any]:
    """The result of a run whose worker was lost twice: crash (or timeout), with the cause."""
    return {"target": target, "outcome": lost.outcome, "detail": lost.detail, "phase": lost.phase,
            "worker_lost": True, "steps": [], "final": None}


class Pool:
    """`jobs` workers of one interpreter for the worker's own targets, and `jobs` more for each
    target that is a module (`targets` names those to start with; others start when first run),
    their scratch directories in one directory of the pool's (removed by close). `run` borrows
    idle workers; `counts` (RunCounts) says what befell its workers and runs."""

    def __init__(self, interpreter: Interpreter, jobs: int, isolation: str | None = None,
                 targets: tuple[str, ...] | list[str] = ("stdlib",)):
        self.interpreter, self.isolation, self.jobs = interpreter, isolation, jobs
        # runs in the workers' own processes, where a fresh run needs other workers
        self.in_process = isolation == "inprocess" and not interpreter.launcher
        self.counts = RunCounts()
        self._root = tempfile.mkdtemp(prefix="conformance-", dir=scratch_parent())
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        self._idle: dict[str, queue.Queue[Worker]] = {}  # group -> its idle workers
        self._all: list[Worker] = []
        self._closed = False
        self._losses: dict[str, int] = {}  # target -> runs lost in a row
        self._succeeded: set[str] = set()  # targets that have completed a run
        _OPEN.add(self)
        try:
            for group in dict.fromkeys(_group(spec) for spec in targets):
                self._start_group(group)
        except BaseException:
            self.close()
            raise

    @property
    def size(self) -> int:
        return len(self._all)

    def _start_group(self, group: str) -> queue.Queue:
        with ThreadPoolExecutor(self.jobs) as starter:
            workers = list(starter.map(lambda _: self._start(group), range(self.jobs)))
        idle: queue.Queue[Worker] = queue.Queue()
        for worker in workers:
            idle.put(worker)
        with self._lock:
            return self._idle.setdefault(group, idle)

    def _idle_of(self, group: str) -> queue.Queue:
        with self._lock:
            idle = self._idle.get(group)
        return idle if idle is not None else self._start_group(group)

    def _start(self, group: str = "") -> Worker:
        isolation = "fork" if group.endswith(FRESH) else self.isolation
        flags = tuple(group.partition(FLAGGED)[2].partition(FRESH)[0].split())
        worker = Worker(self.interpreter, isolation, os.path.join(self._root, "w%d" % next(self._serial)), flags)
        with self._lock:
            if not self._closed:
                self._all.append(worker)
                return worker
        worker.close()
        raise PoolClosed("pool of %s closed" % self.interpreter.label)

    def _replace(self, worker: Worker, group: str, recycled: bool = False) -> Worker:
        worker.close()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            if self._closed:
                raise PoolClosed("pool of %s closed" % self.interpreter.label)
            if recycled:
                self.counts.recycled_workers += 1
            else:
                self.counts.worker_restarts += 1
        return self._start(group)

    def _attempt(self, case: dict, targets: list[str], timeout: float, shared_process: bool,
                 fresh: bool = False, branches: bool = False) -> list[dict]:
        """One request on an idle worker of the targets' group (`fresh`, in an in-process pool:
        of its workers that fork); a lost worker is replaced before WorkerLost goes on, one that
        asks to retire after its reply."""
        group = _group(targets[0], case)
        if fresh and self.in_process:
            group, shared_process, fresh, branches = group + FRESH, False, False, False
        idle = self._idle_of(group)
        worker = idle.get()
        try:
            results = worker.run(case, targets, timeout, shared_process, fresh, branches)
            if worker.retiring:
                worker = self._replace(worker, group, recycled=True)
        except WorkerLost:
            worker = self._replace(worker, group)
            raise
        finally:
            idle.put(worker)
        with self._lock:
            for result in results:
                self._succeeded.add(result["target"])
                self._losses[result["target"]] = 0
        return results

    def run(self, case: dict[str, Any], targets: list[str], timeout: float, shared_process: bool = False,
            fresh: bool = False, branches: bool = False) -> list[dict]:
        """Per-target results of one case (Worker.run), whatever happens to the workers: the
        targets of each group in one request (`shared_process` within it), group after group.
        `fresh`: each run in a process (runtime) that never ran another case: a process per run
        forked from a worker that runs nothing in-process (in-process pools), a runtime started
        for it (a launcher's). `branches`: the workers report the branches of importlib the runs
        reached first in their processes (a result's "branches", Worker.run)."""
        results: list[dict | None] = [None] * len(targets)
        for group in dict.fromkeys(_group(spec, case) for spec in targets):
            indexes = [i for i, spec in enumerate(targets) if _group(spec, case) == group]
            try:
                answered = self._attempt(case, [targets[i] for i in indexes], timeout, shared_process, fresh, branches)
            except WorkerLost:
                continue
            for index, result in zip(indexes, answered):
                results[index] = result
        for index, result in enumerate(results):
            if result is None or (result["outcome"] == "crash" and result.get("detail") == _KILLED):
                results[index] = self._last_try(case, targets[index], timeout)
        with self._lock:
            self.counts.crashed_runs += sum(result["outcome"] == "crash" for result in results)
        return results

    def describe(self, target: str) -> dict[str, Any]:
        """What `target` declares (Worker.describe), asked of a worker of its own group."""
        for attempt in range(2):
            idle = self._idle_of(_group(target))
            worker = idle.get()
            try:
                return worker.describe(target)
            except WorkerLost as lost:
                worker = self._replace(worker, _group(target))
                if attempt:
                    raise WorkerError("target %s: its worker died as it loaded it (%s)" % (target, lost.detail))
            finally:
                idle.put(worker)
        raise AssertionError("unreachable")

    def ignore_rules(self, sides: list[str], given=()) -> list[IgnoreRule]:
        """The intended differences in force when `sides` (the target, then the reference, those
        that run) are compared on this interpreter: the rules `given` (--ignore), those the module
        targets among `sides` declare (IGNORE), and what the runtime says it has not by design
        (MicroPython's comparison profile)."""
        return list(given) + self._declared_ignores(*sides) + self._runtime_ignores(sides[0])

    def _runtime_ignores(self, target: str) -> list[IgnoreRule]:
        """What the runtime says it has not by design (the hello `ignore` of a worker of
        `target`'s group: MicroPython's comparison profile), as rules."""
        if not self.interpreter.launcher:  # native workers declare nothing
            return []
        idle = self._idle_of(_group(target))
        worker = idle.get()
        try:
            declared = worker.hello.get("ignore", {})
        finally:
            idle.put(worker)
        return [IgnoreRule(pattern, "%s (%s)" % (reason, self.interpreter.label)) for pattern, reason in declared.items()]

    def _declared_ignores(self, *targets: str) -> list[IgnoreRule]:
        """The intended differences the module targets among `targets` declare (IGNORE); a
        `feature:NAME` that names no feature is the target's error (WorkerError)."""
        rules = []
        for target in dict.fromkeys(targets):
            if is_own_target(target):
                continue
            for pattern, reason in self.describe(target)["ignore"].items():
                rule = IgnoreRule(pattern, "%s (declared by %s)" % (reason, target))
                unknown = unknown_feature(rule.feature) if rule.feature is not None else None
                if unknown:
                    raise WorkerError("target %s: IGNORE: %s" % (target, unknown))
                rules.append(rule)
        return rules

    def _last_try(self, case: dict, target: str, timeout: float) -> dict:
        """The target alone in a fresh run (in-process pools: forked), its result final: a lost
        worker now counts."""
        with self._lock:
            self.counts.retried_runs += 1
        try:
            (result,) = self._attempt(case, [target], timeout, False, fresh=self.in_process)
            return result
        except WorkerLost as lost:
            with self._lock:
                losses = self._losses[target] = self._losses.get(target, 0) + 1
                hopeless = losses >= MAX_LOSSES and target not in self._succeeded
            if hopeless:
                raise TargetKillsWorkers(
                    "target %s: its worker in %s died in each of its first %d runs (%s%s); stopped"
                    % (target, self.interpreter.label, losses, lost.detail,
                       ", " + lost.phase if lost.phase else "")) from None
            return lost_result(target, lost)

    def map(self, function: Callable, items: list) -> list:
        """function(item) for each item, one thread per worker. If anything goes wrong (an
        error, Ctrl-C), the pool is closed at once: the runs in flight end, none is started."""
        executor = ThreadPoolExecutor(max(1, self.size))
        try:
            return list(executor.map(function, items))
        except BaseException:
            self.close()
            raise
        finally:
            executor.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """Stop every worker and what it started; remove the scratch directories."""
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
        _OPEN.discard(self)
        for worker in workers:
            worker.close()
        shutil.rmtree(self._root, ignore_errors=True)
