"""In-process isolation (for runtimes without fork): runs share the worker's process, the import
state, working directory and descriptors put back after each; a hang is a timeout, and the next
run observes exactly what it observes alone."""
import json

import pytest

from conformance._compare import observation
from conformance._interpreters import resolve
from conformance._pool import Pool
from conformance._protocol import Worker

pytestmark = pytest.mark.slow


def _case(id, lines):
    return {"id": id, "files": {"m.py": lines}, "meta_path": [{"finder": "recording", "name": "rec"}],
            "steps": [{"op": "import_module", "name": "m"}, {"op": "import_module", "name": "json"}]}


NEXT = {"id": "next", "files": {"m.py": ["__executed__(__name__)", "import os", "where = os.getcwd()"],
                                "pkg/__init__.py": ["x = 1"]},
        "meta_path": [{"finder": "recording", "name": "rec"}],
        "steps": [{"op": "import_module", "name": "m"}, {"op": "import_module", "name": "pkg"},
                  {"op": "invalidate_caches"}]}


@pytest.mark.parametrize("version", ["3.8", "3.13"])
def test_catalogue_in_process_equals_the_recordings(cli, version):
    result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", version,
                 "--isolation", "inprocess")
    assert result.code == 0, result.out[-3000:]


@pytest.mark.parametrize("body", [["while True: pass"], ["import time", "time.sleep(60)"],
                                  ["import sys", "sys.setrecursionlimit(10 ** 6)",
                                   "def f(): return f()", "f()"]],
                         ids=["busy", "sleep", "deep-recursion"])
def test_a_run_that_hangs_times_out_and_leaves_nothing_behind(body):
    interpreter = resolve("3.11")
    with Worker(interpreter, "inprocess") as alone:
        (expected,) = alone.run(NEXT, ["stdlib"], 5.0)
    with Worker(interpreter, "inprocess") as worker:
        noisy = ["import sys, os, importlib.util", "os.chdir('/')", "print('noise')",
                 "class Grab:",  # a finder that would serve the next run's pkg, if it stayed
                 "    def find_spec(self, name, path=None, target=None):",
                 "        return importlib.util.spec_from_loader(name, None) if name == 'pkg' else None",
                 "sys.meta_path.insert(0, Grab())", "sys.path_hooks.insert(0, None)",
                 "sys.modules['m'] = sys", "sys.modules['pkg'] = os"] + body
        (hung,) = worker.run(_case("hang", noisy), ["stdlib"], 1.0)
        (after,) = worker.run(NEXT, ["stdlib"], 5.0)
    if body[0].startswith("while") or body[-1].startswith("time"):
        assert hung["outcome"] == "timeout" and hung["detail"] == "no outcome within 1s"
    else:  # the recursion ends by itself, in RecursionError, or is stopped
        assert hung["outcome"] in ("ok", "timeout")
    assert observation(after) == observation(expected), json.dumps(observation(after))[:2000]


def test_an_exit_in_a_body_is_a_crash_and_the_pool_goes_on():
    pool = Pool(resolve("3.11"), 1, "inprocess", targets=["stdlib"])
    try:
        (exited,) = pool.run(_case("exit", ["import os", "os._exit(3)"]), ["stdlib"], 5.0)
        (after,) = pool.run(NEXT, ["stdlib"], 5.0)
    finally:
        pool.close()
    assert exited["outcome"] == "crash"
    assert after["outcome"] == "ok" and pool.counts.worker_restarts >= 1
