"""In-process runs: after a run that changes a piece of the import state, the next run in the
same process observes what a run in a fresh fork observes, piece by piece; and with the restore
of that piece turned off (CONFORMANCE_NO_RESTORE), the change shows: each restore is needed,
and this test would catch its loss. A run that leaves a thread running, or a worker past its
runs, is replaced; a fresh run never happens in a process that ran a case in-process; and a
search whose restore misses something counts what it saw as unconfirmed, not as findings."""
import json

import pytest

from conformance._compare import observation
from conformance._interpreters import resolve
from conformance._pool import Pool
from conformance._protocol import Worker
from conformance._worker.state import PIECES
from tests.conftest import TARGETS
from tests.slow.test_together import SEES_LAZY_MODE, SEES_LEAKS

pytestmark = pytest.mark.slow
LEAKY = str(TARGETS / "leaky_install.py")
# Sees the other leaks: each condition true only where its piece leaked (a blind PathFinder
# leaves m unfound).
CONDITIONS = {"module_attribute": "hasattr(importlib, 'leaked')", "builtins": "hasattr(builtins, 'leaked')",
              "environ": "'CONFORMANCE_LEAKED' in os.environ", "trace": "sys.gettrace() is not None",
              "bytecode": "not sys.dont_write_bytecode",
              "warnings": "any('conformance-leak' in str(f[1]) for f in warnings.filters)"}
SEES_MORE = {"id": "sees-more", "files": {"m.py": ["import builtins, importlib, os, sys, warnings"] + [
    "__executed__(%r if %s else 'clean')" % (name, condition) for name, condition in CONDITIONS.items()]},
    "steps": [{"op": "import_module", "name": "m"}]}
# leak (tests/targets/leaky_install.py) -> the pieces whose restore undoes it, the case that sees it
LEAKS = {
    "sys_modules": (["modules"], SEES_LEAKS), "modules_rebound": (["modules", "module_attributes"], SEES_LEAKS),
    "sys_path": (["path"], SEES_LEAKS), "sys_path_rebound": (["path", "module_attributes"], SEES_LEAKS),
    "meta_path": (["meta_path"], SEES_LEAKS), "meta_path_rebound": (["meta_path", "module_attributes"], SEES_LEAKS),
    "path_hooks": (["path_hooks"], SEES_LEAKS), "path_importer_cache": (["path_importer_cache"], SEES_LEAKS),
    "pycache_prefix": (["pycache_prefix", "module_attributes"], SEES_LEAKS),
    "implementation": (["implementation", "module_attributes"], SEES_LEAKS),
    "recursion_limit": (["recursion_limit"], SEES_LEAKS),
    "module_attribute": (["module_attributes"], SEES_MORE), "builtins": (["module_attributes"], SEES_MORE),
    "machinery_class": (["machinery_classes"], SEES_MORE), "environ": (["environ"], SEES_MORE),
    "warnings": (["warnings"], SEES_MORE), "trace": (["trace"], SEES_MORE),
}
# Restored, but a later run would not see them unrestored: each run sets them first (run_one
# goes to its case directory, run_case sets the bytecode flag the case asks for)
SET_BY_EACH_RUN = {"cwd": (["cwd"], SEES_LEAKS), "bytecode": (["dont_write_bytecode"], SEES_MORE)}


def test_every_piece_restored_is_tested():
    tested = {piece for pieces, _ in list(LEAKS.values()) + list(SET_BY_EACH_RUN.values()) for piece in pieces}
    assert tested | {"lazy"} == set(PIECES)


def _after_leak(interpreter, leak, case):
    """The leaky run, then the case on the stdlib, in one in-process worker."""
    with Worker(interpreter, "inprocess") as worker:
        (leaked,) = worker.run(case, [LEAKY], 5.0)
        (after,) = worker.run(case, ["stdlib"], 5.0)
    return observation(leaked), observation(after)


def _check(monkeypatch, interpreter, leak, pieces, case, set_by_each_run=False):
    monkeypatch.setenv("CONFORMANCE_LEAK", leak)
    with Worker(interpreter, "fork") as fresh:
        (alone,) = fresh.run(case, ["stdlib"], 5.0)
    alone = observation(alone)
    leaked, after = _after_leak(interpreter, leak, case)
    assert leaked != alone, "the leak must show, or this test proves nothing"
    assert after == alone, json.dumps(after)[:2000]
    monkeypatch.setenv("CONFORMANCE_NO_RESTORE", ",".join(pieces))
    _, unrestored = _after_leak(interpreter, leak, case)
    if set_by_each_run:
        assert unrestored == alone, "the run was to set %s itself" % pieces
    else:
        assert unrestored != alone, "without the restore of %s the leak must show" % pieces


@pytest.mark.parametrize("leak", sorted(LEAKS))
def test_a_run_in_process_after_a_leaky_one_observes_what_a_fresh_fork_does(host, monkeypatch, leak):
    pieces, case = LEAKS[leak]
    _check(monkeypatch, host, leak, pieces, case)


@pytest.mark.parametrize("leak", sorted(SET_BY_EACH_RUN))
def test_what_each_run_sets_itself_is_never_seen_by_the_next(host, monkeypatch, leak):
    pieces, case = SET_BY_EACH_RUN[leak]
    _check(monkeypatch, host, leak, pieces, case, set_by_each_run=True)


def test_the_lazy_imports_mode_is_restored_in_process(monkeypatch):
    _check(monkeypatch, resolve("3.15"), "lazy_mode", ["lazy"], SEES_LAZY_MODE)


def test_a_run_that_leaves_a_thread_running_retires_its_worker(host, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_LEAK", "thread")
    pool = Pool(host, 1, "inprocess", targets=[LEAKY])
    try:
        (first,) = pool.run(SEES_MORE, [LEAKY], 5.0)
        (second,) = pool.run(SEES_MORE, [LEAKY], 5.0)
    finally:
        pool.close()
    assert first["outcome"] == second["outcome"] == "ok"
    assert pool.counts.recycled_workers == 2 and pool.counts.worker_restarts == 0


def test_a_worker_retires_after_its_runs_and_the_pool_goes_on(host, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_MAX_RUNS", "3")
    pool = Pool(host, 1, "inprocess")
    try:
        results = [pool.run(SEES_MORE, ["stdlib", "builtin"], 5.0) for _ in range(4)]  # 8 runs
    finally:
        pool.close()
    assert all(observation(r) == observation(results[0][0]) for runs in results for r in runs)
    assert pool.counts.recycled_workers == 2 and pool.counts.worker_restarts == 0


def test_a_fresh_run_never_happens_in_a_process_that_ran_a_case_in_process(host, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_NO_RESTORE", "module_attributes")  # what a case binds stays bound
    binds = {"id": "binds", "files": {"n.py": ["import importlib, types", "importlib.leaked = types.ModuleType('x')"]},
             "steps": [{"op": "import_module", "name": "n"}]}
    pool = Pool(host, 1, "inprocess")
    try:
        pool.run(binds, ["stdlib"], 5.0)
        (in_process,) = pool.run(SEES_MORE, ["stdlib"], 5.0)
        (fresh,) = pool.run(SEES_MORE, ["stdlib"], 5.0, fresh=True)
    finally:
        pool.close()
    assert "module_attribute" in in_process["steps"][0]["executed"], "the leak must show, or this proves nothing"
    assert "module_attribute" not in fresh["steps"][0]["executed"] and fresh["outcome"] == "ok"


def test_a_search_whose_restore_misses_something_counts_it_unconfirmed(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_NO_RESTORE", "modules")  # every run's modules stay for the next
    report = tmp_path / "r.json"
    result = cli("fuzz", "--target", "stdlib", "--python", "3.11", "--examples", "300", "--seed", "3",
                 "--out", tmp_path / "out", "--json", report)
    data = json.loads(report.read_text())
    assert result.code == 0 and not data["divergences"], result.out[-2000:]
    assert data["isolation"] == "inprocess" and data["unconfirmed"] > 0
    assert "did not recur with a fresh process per run" in result.out
