"""The pool's policy for lost workers, against a fake worker: a lost run is tried once more in a
fresh worker (alone per target), a second loss counts as crash or timeout with its cause, a
target whose every run kills its worker stops the pool, a closed pool starts nothing."""
import threading

import pytest

from conformance import _pool
from conformance._pool import MAX_LOSSES, Pool, PoolClosed, TargetKillsWorkers
from conformance._protocol import WorkerLost, describe_progress


class FakeWorker:
    """Answers every run with outcome ok, except as `plan` says: plan(case, targets, worker)
    returns None (answer), "crash" or "hang" (the worker is lost that way), or the detail of
    a crash of the runs' own processes ("killed by SIGKILL"), or such details by target."""

    plan = staticmethod(lambda case, targets, worker: None)
    started: list = []
    retiring = None

    def __init__(self, interpreter, isolation=None, scratch=None, flags=()):
        self.closed, self.flags, self.isolation = False, flags, isolation
        self.number = len(FakeWorker.started)
        FakeWorker.started.append(self)

    def run(self, case, targets, timeout, shared_process=False, fresh=False, branches=False):
        what = FakeWorker.plan(case, targets, self)
        if what == "crash":
            raise WorkerLost("fake", "crash", "worker killed by SIGKILL", "before any step was observed", "")
        if what == "hang":
            raise WorkerLost("fake", "timeout", "worker gave no reply within 3s", "", "")
        deaths = what if isinstance(what, dict) else {t: what for t in targets}  # the run's own process died
        return [{"target": t, "outcome": "crash", "detail": deaths[t], "steps": [], "final": None}
                if deaths.get(t) else {"target": t, "outcome": "ok", "steps": [], "final": {}} for t in targets]

    def close(self):
        self.closed = True


@pytest.fixture
def pool(monkeypatch, host):
    monkeypatch.setattr(_pool, "Worker", FakeWorker)
    FakeWorker.started = []
    made = Pool(host, 2)
    yield made
    made.close()
    FakeWorker.plan = staticmethod(lambda case, targets, worker: None)


def test_an_outside_kill_costs_a_retry_not_a_result(pool):
    calls = []

    def plan(case, targets, worker):  # the first request ever loses its worker, as kill -9 would
        calls.append(targets)
        return "crash" if len(calls) == 1 else None

    FakeWorker.plan = staticmethod(plan)
    results = pool.run({"id": "c"}, ["builtin", "stdlib"], 1.0)
    assert [(r["target"], r["outcome"]) for r in results] == [("builtin", "ok"), ("stdlib", "ok")]
    assert (pool.counts.worker_restarts, pool.counts.retried_runs, pool.counts.crashed_runs) == (1, 2, 0)
    assert calls == [["builtin", "stdlib"], ["builtin"], ["stdlib"]]
    assert len(FakeWorker.started) == 3 and sum(worker.closed for worker in FakeWorker.started) == 1


def test_a_run_killed_by_sigkill_is_tried_once_more(pool):
    calls = []

    def plan(case, targets, worker):  # the first run's process is killed, as kill -9 would
        calls.append(targets)
        return "killed by SIGKILL" if len(calls) == 1 else None

    FakeWorker.plan = staticmethod(plan)
    results = pool.run({"id": "c"}, ["builtin", "stdlib"], 1.0)
    assert [r["outcome"] for r in results] == ["ok", "ok"] and calls[1:] == [["builtin"], ["stdlib"]]
    assert (pool.counts.worker_restarts, pool.counts.retried_runs, pool.counts.crashed_runs) == (0, 2, 0)


@pytest.mark.parametrize("death", ["killed by SIGKILL", "killed by SIGSEGV"])
def test_a_run_that_dies_every_time_is_a_crash(pool, death):
    FakeWorker.plan = staticmethod(lambda case, targets, worker: {"target": death})
    target, reference = pool.run({"id": "c"}, ["target", "stdlib"], 1.0)
    assert (target["outcome"], target["detail"], reference["outcome"]) == ("crash", death, "ok")
    assert pool.counts.crashed_runs == 1 and pool.counts.retried_runs == (1 if death.endswith("SIGKILL") else 0)


def test_retries_run_each_target_alone(pool):
    # the target kills its worker whenever it runs; the reference alone must get its own result
    FakeWorker.plan = staticmethod(lambda case, targets, worker: "crash" if "builtin" in targets else None)
    reference, target = pool.run({"id": "c"}, ["stdlib", "builtin"], 1.0, shared_process=True)
    assert reference["outcome"] == "ok"
    assert (target["outcome"], target["detail"], target["phase"]) == (
        "crash", "worker killed by SIGKILL", "before any step was observed")
    assert target["worker_lost"] and target["steps"] == [] and target["final"] is None
    assert (pool.counts.worker_restarts, pool.counts.retried_runs, pool.counts.crashed_runs) == (2, 2, 1)


def test_a_target_that_is_a_module_has_workers_of_its_own(pool):
    ran = {}

    def plan(case, targets, worker):
        ran.setdefault(worker.number, set()).update(targets)

    FakeWorker.plan = staticmethod(plan)
    for number in range(10):
        target, reference = pool.run({"id": "c%d" % number}, ["hook.py", "stdlib"], 1.0, shared_process=True)
        assert (target["target"], reference["target"]) == ("hook.py", "stdlib")
    assert len(FakeWorker.started) == 4  # two for the worker's own targets, two for hook.py
    assert all(targets in ({"hook.py"}, {"stdlib"}) for targets in ran.values()), ran


def test_a_hung_worker_is_a_timeout(pool):
    FakeWorker.plan = staticmethod(lambda case, targets, worker: "hang" if case["id"] == "h" else None)
    (result,) = pool.run({"id": "h"}, ["target"], 1.0)
    assert (result["outcome"], result["detail"]) == ("timeout", "worker gave no reply within 3s")
    assert pool.counts.crashed_runs == 0 and pool.counts.worker_restarts == 2


def test_a_target_that_kills_every_worker_stops_the_pool(pool):
    FakeWorker.plan = staticmethod(lambda case, targets, worker: "crash" if "killer" in targets else None)
    for number in range(MAX_LOSSES - 1):
        pool.run({"id": "c%d" % number}, ["killer", "stdlib"], 1.0)
    with pytest.raises(TargetKillsWorkers, match=r"target killer: .* first %d runs \(worker killed by SIGKILL"
                       % MAX_LOSSES):
        pool.run({"id": "last"}, ["killer", "stdlib"], 1.0)


def test_a_target_that_kills_in_some_cases_never_stops_the_pool(pool):
    FakeWorker.plan = staticmethod(lambda case, targets, worker: "crash" if case["id"].startswith("q") else None)
    assert pool.run({"id": "a"}, ["target"], 1.0)[0]["outcome"] == "ok"
    for number in range(3 * MAX_LOSSES):  # shrinking a finding runs many deadly cases in a row
        assert pool.run({"id": "q%d" % number}, ["target"], 1.0)[0]["outcome"] == "crash"
    assert pool.counts.crashed_runs == 3 * MAX_LOSSES


def test_a_closed_pool_starts_no_worker(pool):
    release = threading.Event()

    def plan(case, targets, worker):
        release.wait(5)
        return "crash"

    FakeWorker.plan = staticmethod(plan)
    failures = []
    thread = threading.Thread(target=lambda: failures.append(_raises(lambda: pool.run({"id": "c"}, ["t"], 1.0))))
    thread.start()
    pool.close()
    release.set()
    thread.join(5)
    assert failures == [PoolClosed]
    assert all(worker.closed for worker in FakeWorker.started)


def _raises(function):
    try:
        function()
    except Exception as exc:  # noqa: BLE001
        return type(exc)
    return None


@pytest.mark.parametrize("output, steps, phase", [
    (b"", 2, "before any step was observed"),
    (b'["step", {}]\n', 2, "after 1 of 2 steps were observed"),
    (b'["step", {}]\n["step", {}]\n', 2, "after all steps were observed"),
    (b'["step", {}]\n["final", {}]\n', 1, "after the final observation"),
    (b'["step", {}]\n["final", {}]\n["outcome", "ok"]\n', 1, "after the run ended"),
    (b'["step", {}]\n["final", {}]\n["outcome", "ok"]\n["step", {}]\n', 3, "after 1 of 3 steps were observed"),
    (b'["error", "invalid case"]\n', 1, "after the run ended"),
])
def test_progress_of_a_lost_run(output, steps, phase):
    assert describe_progress(output, steps) == phase


def test_a_case_with_optimize_or_verbose_runs_on_workers_started_so(pool):
    seen = []
    FakeWorker.plan = staticmethod(lambda case, targets, worker: seen.append((case["id"], worker.flags)))
    for case in ({"id": "plain"}, {"id": "O", "optimize": 1}, {"id": "OO", "optimize": 2}, {"id": "again"},
                 {"id": "O again", "optimize": 1}, {"id": "v", "verbose": True},
                 {"id": "Ov", "optimize": 1, "verbose": True}):
        assert [r["outcome"] for r in pool.run(case, ["stdlib", "impl"], 1.0)] == ["ok", "ok"]
    assert seen == [("plain", ()), ("O", ("-O",)), ("OO", ("-OO",)), ("again", ()), ("O again", ("-O",)),
                    ("v", ("-v",)), ("Ov", ("-O", "-v"))]
    # two of each: jobs=2
    assert sorted(w.flags for w in FakeWorker.started) == sorted(
        [(), (), ("-O",), ("-O",), ("-OO",), ("-OO",), ("-v",), ("-v",), ("-O", "-v"), ("-O", "-v")])
