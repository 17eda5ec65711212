"""Running cases on interpreters with a pool of workers, and judging the results."""
from __future__ import annotations

import os
import queue
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from conformance._case import Case
from conformance._compare import Verdict, compare
from conformance._interpreters import Interpreter
from conformance._protocol import Worker, WorkerError

__all__ = ["CheckResult", "Pool", "run_check"]

DEFAULT_TIMEOUT = 5.0


class Pool:
    """`jobs` workers of one interpreter; `run` borrows an idle one, restarting it if it died."""

    def __init__(self, interpreter: Interpreter, jobs: int, isolation: str | None = None):
        self.interpreter, self.isolation = interpreter, isolation
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: list[Worker] = []
        with ThreadPoolExecutor(jobs) as starter:
            for worker in starter.map(lambda _: Worker(interpreter, isolation), range(jobs)):
                self._all.append(worker)
                self._idle.put(worker)

    def run(self, case: dict[str, Any], targets: list[str], timeout: float, together: bool = False) -> list[dict]:
        worker = self._idle.get()
        try:
            return worker.run(case, targets, timeout, together)
        except WorkerError as exc:
            if worker.alive():  # a refusal (a bad target, say), not a death
                raise
            worker.close()
            self._all.remove(worker)
            worker = Worker(self.interpreter, self.isolation)
            self._all.append(worker)
            return [{"target": t, "outcome": "error", "detail": "worker died: %s" % exc,
                     "steps": [], "final": None} for t in targets]
        finally:
            self._idle.put(worker)

    def map(self, function: Callable, items: list) -> list:
        with ThreadPoolExecutor(max(1, len(self._all))) as executor:
            return list(executor.map(function, items))

    def close(self) -> None:
        for worker in self._all:
            worker.close()


@dataclass
class CheckResult:
    """Verdicts of every case on every interpreter, with timing."""

    target: str
    reference: str
    interpreters: list[Interpreter]
    verdicts: list[Verdict] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for verdict in self.verdicts if verdict.status == status)

    @property
    def ran(self) -> int:
        return sum(1 for verdict in self.verdicts if verdict.status != "skipped")

    @property
    def cases_per_second(self) -> float:
        return self.ran / self.elapsed_seconds if self.elapsed_seconds else 0.0


def _recorded_version(reference: str, interpreter: Interpreter) -> tuple[int, ...]:
    """`expected`: the interpreter's own version; `expected:3.8`: the one named."""
    named = reference.partition(":")[2]
    return tuple(int(p) for p in named.split(".")) if named else interpreter.version


def _judge(case: Case, interpreter: Interpreter, target: str, reference: str,
           pool: Pool, timeout: float) -> Verdict:
    label = interpreter.label
    if not case.runs_on(interpreter.version):
        return Verdict(case.id, label, "skipped", note="version gate")
    if reference == "expected" or reference.startswith("expected:"):
        version = _recorded_version(reference, interpreter)
        expectation = case.expectation_for(version)
        if expectation is None:
            return Verdict(case.id, label, "skipped", note="no recorded expectation")
        (result,) = pool.run(case.data, [target], timeout)
        return compare(case.id, label, result, expectation)
    result, reference_result = pool.run(case.data, [target, reference], timeout)
    return compare(case.id, label, result, reference_result)


def run_check(cases: list[Case], interpreters: list[Interpreter], target: str = "stdlib",
              reference: str = "stdlib", jobs: int | None = None,
              timeout: float = DEFAULT_TIMEOUT, progress: Callable[[str], None] | None = None,
              isolation: str | None = None) -> CheckResult:
    """Run every case with target and reference on every interpreter; raise WorkerError
    if a worker cannot start or refuses the target."""
    jobs = jobs or os.cpu_count() or 1
    result = CheckResult(target, reference, list(interpreters))
    started = time.monotonic()
    for interpreter in interpreters:
        began = time.monotonic()
        pool = Pool(interpreter, jobs, isolation)
        try:
            verdicts = pool.map(
                lambda case: _judge(case, interpreter, target, reference, pool, timeout), cases)
        finally:
            pool.close()
        result.verdicts.extend(verdicts)
        if progress:
            failed = sum(1 for v in verdicts if v.status == "failed")
            ran = sum(1 for v in verdicts if v.status != "skipped")
            progress("%s: %d cases run, %d failed (%.1fs)"
                     % (interpreter.label, ran, failed, time.monotonic() - began))
    result.elapsed_seconds = time.monotonic() - started
    return result


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)

