"""A `threads` step's calls (conformance/_worker/threads.py): order, pauses, waits, errors; the
case format's check of the step; comparison thread by thread; its repro script."""
import builtins
import json
import subprocess
import sys
import threading

import pytest

from conformance._case import CaseFileError, load_file
from conformance._changes import generalise
from conformance._compare import field_differences
from conformance._worker import threads as threads_module
from conformance._worker.threads import Threads
from conformance.reports import repro_script


@pytest.fixture
def run(monkeypatch):
    """Threads with __pause__ in builtins, as the worker has it while a case runs."""
    threads = Threads()
    monkeypatch.setattr(builtins, "__pause__", threads.pause, raising=False)
    return threads


def test_outcomes_in_the_order_of_the_calls_with_results_and_exceptions(run):
    def fails():
        raise KeyError("k")
    outcomes = run.run([lambda: 1, fails, lambda: "three"])
    assert [o.outcome for o in outcomes] == ["returned", "raised", "returned"]
    assert outcomes[0].result == 1 and outcomes[2].result == "three"
    assert isinstance(outcomes[1].exception, KeyError)


def test_a_pause_starts_the_next_call_while_the_first_is_inside(run):
    log = []

    def first():
        log.append("first in")
        __pause__()  # noqa: F821 (a builtin while the calls run)
        log.append("first out")

    outcomes = run.run([first, lambda: log.append("second ran")])
    assert log == ["first in", "second ran", "first out"]
    assert [o.outcome for o in outcomes] == ["returned", "returned"]


def test_without_a_pause_each_call_starts_after_the_one_before_ends(run):
    log = []
    run.run([lambda: log.append("a"), lambda: log.append("b"), lambda: log.append("c")])
    assert log == ["a", "b", "c"]


def test_a_next_call_that_waits_for_the_pausing_one_lets_it_go_on(run, monkeypatch):
    monkeypatch.setattr(threads_module, "PAUSE_SECONDS", 0.05)
    lock, log = threading.Lock(), []

    def holder():
        with lock:
            log.append("holder in")
            __pause__()  # noqa: F821
            log.append("holder out")

    def waiter():
        with lock:
            log.append("waiter got the lock")

    run.run([holder, waiter])
    assert log == ["holder in", "holder out", "waiter got the lock"]


def test_a_module_result_has_its_names_when_the_call_returned(run):
    import types
    module = types.ModuleType("m")
    module.early = 1
    outcome, = run.run([lambda: module])
    module.late = 2
    assert outcome.names == ["early"]


def test_pause_outside_a_threads_step_does_nothing(run):
    run.pause()  # returns at once, starts nothing
    assert threading.active_count() >= 1


def _case_file(tmp_path, step):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps({"format": 1, "cases": [{"id": "t.case", "steps": [step]}]}))
    return path


def test_a_threads_step_of_calls_loads(tmp_path):
    step = {"op": "threads", "calls": [{"op": "import_module", "name": "a"}, {"op": "reload", "module": {"module": "a"}}]}
    case, = load_file(_case_file(tmp_path, step))
    assert case.data["steps"][0]["calls"][1]["op"] == "reload"


@pytest.mark.parametrize("calls", [[], [{"op": "write", "path": "a.py", "source": ""}],
                                   [{"op": "import_module"}]])
def test_a_threads_step_needs_calls_of_the_five_functions(tmp_path, calls):
    with pytest.raises(CaseFileError) as error:
        load_file(_case_file(tmp_path, {"op": "threads", "calls": calls}))
    assert "cases.json" in str(error.value) and "\n" not in str(error.value)


def test_threads_compare_thread_by_thread_and_key_as_calls():
    left = {"steps": [{"threads": [{"outcome": "returned", "names": ["done"]}, {"outcome": "returned"}]}]}
    right = {"steps": [{"threads": [{"outcome": "returned", "names": []}, {"outcome": "returned"}]}]}
    difference, = field_differences("", left, right)
    assert difference.path == "steps[0].threads[0].names"
    assert generalise("steps[0].threads[1].result.__cached__") == "steps[].result.__cached__"


def test_the_repro_script_runs_the_calls_in_threads(tmp_path):
    case = {"id": "t.case", "files": {"slow.py": ["__executed__(__name__)", "__pause__()", "done = True"]},
            "steps": [{"op": "threads", "calls": [{"op": "import_module", "name": "slow"}] * 2}]}
    script = tmp_path / "repro.py"
    script.write_text(repro_script(case, "title"), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("(its names then: ['done'])") == 2, done.stdout
    assert "executed: ['slow']" in done.stdout
