"""`together` requests: a case's runs share one forked process, the import state restored
between them. Each run must show what a process of its own shows; a crash or hang ends the
shared process and the runs after it go on in a new one."""
import random
import time

import pytest

from conformance._case import load_cases
from conformance._compare import observation
from conformance._interpreters import resolve
from conformance._protocol import Worker
from conformance.strategies import DEFAULT, generated_case, generated_size
from tests.conftest import TARGETS

pytestmark = pytest.mark.slow
LEAKY = str(TARGETS / "leaky_install.py")
LEAKS = ["sys_modules", "modules_rebound", "sys_path", "sys_path_rebound", "meta_path", "meta_path_rebound",
         "path_hooks", "path_importer_cache", "pycache_prefix", "recursion_limit", "cwd"]
# Sees each leak: a is a stub in sys.modules, b lies in the leaked sys.path entry, c comes from the
# leaked meta-path finder, d from the leaked cache entry; m shows hooks, __cached__ and the limit.
SEES_LEAKS = {"id": "sees-leaks", "files": {"m.py": ["x = 1"]},
              "sys_path": [".", {"literal": "/conformance-leak"}, {"literal": ""}],  # "": the working directory
              "steps": [{"op": "import_module", "name": name} for name in ("m", "a", "b", "c", "d")]}
# Sees the lazy imports mode (CPython 3.15): n's `import o` is lazy only in the mode "all".
SEES_LAZY_MODE = {"id": "sees-lazy-mode", "files": {"n.py": ["import o"], "o.py": ["x = 1"]},
                  "steps": [{"op": "import_module", "name": "n"}]}


@pytest.mark.parametrize("leak", LEAKS)
def test_a_run_after_a_leaky_one_sees_a_fresh_import_state(host, monkeypatch, leak):
    monkeypatch.setenv("CONFORMANCE_LEAK", leak)
    with Worker(host) as worker:
        (alone,) = worker.run(SEES_LEAKS, ["stdlib"], 5.0)
        (leaked,) = worker.run(SEES_LEAKS, [LEAKY], 5.0)
        first, second = worker.run(SEES_LEAKS, [LEAKY, "stdlib"], 5.0, shared_process=True)
    assert observation(leaked) != observation(alone), "the leak must show, or this test proves nothing"
    assert observation(first) == observation(leaked)
    assert observation(second) == observation(alone)


def test_a_run_after_one_that_leaks_the_lazy_imports_mode_sees_the_mode_it_started_with(monkeypatch):
    monkeypatch.setenv("CONFORMANCE_LEAK", "lazy_mode")
    with Worker(resolve("3.15")) as worker:
        (alone,) = worker.run(SEES_LAZY_MODE, ["stdlib"], 5.0)
        (leaked,) = worker.run(SEES_LAZY_MODE, [LEAKY], 5.0)
        first, second = worker.run(SEES_LAZY_MODE, [LEAKY, "stdlib"], 5.0, shared_process=True)
    assert leaked["steps"][0].get("lazy_modules") == {"added": ["o"], "removed": []}, "the leak must show"
    assert observation(first) == observation(leaked)
    assert observation(second) == observation(alone) and "lazy_modules" not in second["steps"][0]


def _generated(count, seed):
    rng = random.Random(seed)
    return [generated_case(DEFAULT, rng.randbytes(generated_size(DEFAULT))) for _ in range(count)]


@pytest.mark.parametrize("version", ["3.8", "3.11", "3.13", "pypy3"])
def test_runs_together_observe_what_runs_alone_do(version):
    """The catalogue and generated cases: both runs of a shared process equal runs of their own."""
    interpreter = resolve(version)
    cases = [case.data for case in load_cases() if case.runs_on(interpreter.version)] + _generated(150, 7)
    with Worker(interpreter) as worker:
        for case in cases:
            alone = [observation(r) for r in worker.run(case, ["stdlib", "builtin"], 5.0)]
            together = [observation(r) for r in worker.run(case, ["stdlib", "builtin"], 5.0, shared_process=True)]
            assert together == alone, case["id"]


def _case(source):
    return {"id": "x", "files": {"m.py": source}, "steps": [{"op": "import_module", "name": "m"}]}


def test_a_crash_ends_the_shared_process_and_the_next_run_goes_on(host):
    with Worker(host) as worker:
        first, second, third = worker.run(_case("import os\nos.abort()"), ["stdlib"] * 3, 5.0, shared_process=True)
        ok, crashed = worker.run(_case("x = 1"), ["stdlib", str(TARGETS / "crash_on_install.py")], 5.0,
                                 shared_process=True)
    for result in (first, second, third):
        assert (result["outcome"], result["detail"]) == ("crash", "killed by SIGABRT")
    assert ok["outcome"] == "ok" and crashed["outcome"] == "crash"


def test_a_hang_is_a_timeout_of_that_run_only(host):
    started = time.monotonic()
    with Worker(host) as worker:
        hung, fine = worker.run(_case("x = 1"), [str(TARGETS / "hang_on_install.py"), "stdlib"], 1.0, shared_process=True)
    assert time.monotonic() - started < 4
    assert hung["outcome"] == "timeout" and fine["outcome"] == "ok"
    assert fine["steps"][0]["outcome"] == "returned"
