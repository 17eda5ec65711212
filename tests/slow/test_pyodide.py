"""Pyodide (CPython on WebAssembly, under Node): the catalogue in-process against the native
recordings, its hangs and exits ending as timeout or crash with a fresh runtime for the next run,
impl on 3.14, and no recording from a runtime that is not native."""
import json

import pytest

from conformance._case import load_cases
from conformance._compare import observation
from conformance._protocol import Worker
from conformance._interpreters import pyodides, resolve_pyodide
from tests.conftest import REPO

pytestmark = pytest.mark.slow
VERSIONS = ["pyodide:0.27", "pyodide:0.28", "pyodide:314"]  # CPython 3.12.7, 3.13.2, 3.14.2


def test_the_three_pyodides_are_installed_by_the_project():
    installed = {i.runtime.split()[1].rsplit(".", 1)[0] for i in pyodides()}
    assert {"0.27", "0.28", "314.0"} <= installed, "run `npm ci` (package.json, package-lock.json)"
    assert {i.version[:2] for i in pyodides()} >= {(3, 12), (3, 13), (3, 14)}


def test_catalogue_on_each_pyodide_with_its_platform_expectations(cli, tmp_path):
    report = tmp_path / "r.json"
    args = ["check", "--target", "stdlib", "--reference", "expected", "--jobs", "2",
            "--expectations", REPO / "expectations" / "pyodide.toml", "--json", report]
    for version in VERSIONS:
        args += ["--python", version]
    result = cli(*args)
    assert result.code == 0, result.out[-3000:]
    data = json.loads(report.read_text())
    # on each: dunder_import.level.huge (wasm32's sys.maxsize), machinery.builtin_fresh_module_body
    # (WASI's errno numbers)
    assert data["expected_failures"] == 6
    for interpreter in data["interpreters"]:  # every case its version admits ran
        assert interpreter["runtime"].startswith("pyodide ")
    ran = [v for v in data["verdicts"] if v["status"] != "skipped"]
    versions = [tuple(int(part) for part in interpreter["version"].split(".")[:2]) for interpreter in data["interpreters"]]
    assert len(ran) == sum(1 for version in versions for case in load_cases() if case.runs_on(version))
    # gh-125519 (3.12.8, 3.13.1): set aside on 3.13.2 (compared with the 3.13.0 recording), not on
    # 3.12.7; 3.14.2 is compared with the native 3.14.10 recordings, which have it: nothing set aside
    ignored = {(i["case"], i["interpreter"].split()[1]) for i in data["ignored"]}
    assert ignored == {(case, "3.13.2") for case in ("reload.not_a_module_str", "reload.not_a_module_none",
                                                     "reload.not_a_module_object")}


NEXT = {"id": "next", "files": {"m.py": ["__executed__(__name__)", "import os", "where = os.getcwd()"],
                                "pkg/__init__.py": ["x = 1"]},
        "meta_path": [{"finder": "recording", "name": "rec"}],
        "steps": [{"op": "import_module", "name": "m"}, {"op": "import_module", "name": "pkg"}]}


@pytest.mark.parametrize("lines, outcome", [
    (["while True: pass"], "timeout"),
    (["import time", "time.sleep(60)"], "timeout"),
    (["import sys", "sys.setrecursionlimit(10 ** 6)", "def f(): return f()", "f()"], None),
    (["import os", "os._exit(3)"], "crash"),
], ids=["busy", "sleep", "deep-recursion", "exit"])
def test_hangs_and_exits_end_the_run_and_the_next_run_sees_a_clean_runtime(lines, outcome):
    interpreter = resolve_pyodide("pyodide:0.28")
    with Worker(interpreter) as worker:
        (alone,) = worker.run(NEXT, ["stdlib"], 5.0)
        spoiler = ["import sys, importlib.util", "sys.modules['pkg'] = sys",
                   "sys.meta_path.insert(0, None)"] + lines
        case = {"id": "bad", "files": {"bad.py": spoiler}, "steps": [{"op": "import_module", "name": "bad"}]}
        (bad,) = worker.run(case, ["stdlib"], 1.0)
        (after,) = worker.run(NEXT, ["stdlib"], 5.0)
    if outcome:
        assert bad["outcome"] == outcome, bad
    else:  # a deep recursion ends in RecursionError, a crash of the runtime or its restart
        assert bad["outcome"] in ("ok", "timeout", "crash"), bad
    if outcome == "crash":
        assert bad["detail"] == "exited with code 3"
    assert observation(after) == observation(alone), json.dumps(observation(after))[:1500]


def test_impl_on_pyodide_314_and_builtin_as_on_native(cli):
    assert cli("check", "--target", "impl", "--python", "pyodide:314", "--jobs", "2").code == 0
    native = cli("check", "--target", "builtin", "--python", "3.13")
    wasm = cli("check", "--target", "builtin", "--python", "pyodide:0.28", "--jobs", "2")

    def diverging(out):
        return sorted(line.split()[1] for line in out.splitlines() if line.startswith("DIVERGENCE"))

    # the same but for the circular import split across threads (3.8-3.14): Pyodide has no threads
    assert diverging(wasm.out) == [case for case in diverging(native.out) if not case.startswith("threads.")]
    assert len(diverging(wasm.out)) == 12 and "threads.circular_deadlock_detected" in diverging(native.out)


def test_record_refuses_a_runtime_that_is_not_native(cli, monkeypatch):
    result = cli("record", "--python", "pyodide:0.28", "--cases", REPO / "conformance" / "catalogue" / "reload.json")
    assert result.code == 2 and "native CPython only" in result.err
    monkeypatch.setenv("CONFORMANCE_RUNTIME", "pyodide 0.0 (a launcher that hides behind an executable)")
    result = cli("record", "--python", "3.11", "--cases", REPO / "conformance" / "catalogue" / "reload.json")
    assert result.code == 2 and "native CPython only" in result.err


def test_fresh_runs_each_target_in_a_runtime_of_its_own():
    # In-process runs share what the restore does not cover (the contents of a dict a library
    # module holds); the fuzzer's confirmation asks for a fresh runtime per run, which shares nothing.
    counting = {"id": "count", "files": {"m.py": ["import json.decoder as d",
                                                   "d.BACKSLASH['runs'] = d.BACKSLASH.get('runs', 0) + 1",
                                                   "runs = d.BACKSLASH['runs']"]},
                "steps": [{"op": "import_module", "name": "m"}]}
    with Worker(resolve_pyodide("pyodide:0.28")) as worker:
        shared = worker.run(counting, ["stdlib", "impl"], 5.0)
        fresh = worker.run(counting, ["stdlib", "impl"], 5.0, fresh=True)

    def runs(result):
        return json.loads(json.dumps(result["final"]))["modules"]["m"]["attrs"]["runs"]

    assert [runs(r) for r in shared] == [1, 2]
    assert [runs(r) for r in fresh] == [1, 1] and [r["target"] for r in fresh] == ["stdlib", "impl"]
