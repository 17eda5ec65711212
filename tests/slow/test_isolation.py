"""Isolation: hangs become TIMEOUT, crashes CRASH, the run goes on, nothing is left behind."""
import os
import time

import pytest

from conformance._case import load_cases
from conformance._check import run_check
from tests.conftest import case_file

pytestmark = pytest.mark.slow


def _case(id, source, extra_steps=()):
    return {"id": id, "files": {"m.py": source},
            "steps": [{"op": "import_module", "name": "sys"}, {"op": "import_module", "name": "m"}, *extra_steps]}


def _run(tmp_path, host, isolation, *cases, timeout=1.0):
    return run_check(load_cases([case_file(tmp_path, *cases)]), [host], "stdlib", "stdlib",
                     jobs=1, timeout=timeout, isolation=isolation)


def _results(tmp_path, host, isolation, *cases, timeout=1.0):
    """Raw per-target results, via a worker, for inspecting outcomes."""
    from conformance._protocol import Worker

    with Worker(host, isolation) as worker:
        return [worker.run(case, ["stdlib"], timeout)[0] for case in cases]


@pytest.fixture(params=["fork", "subprocess"])
def isolation(request, tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    yield request.param
    assert list(scratch.iterdir()) == [], "temporary directories were left behind"


def test_hang_is_timeout_and_run_continues(tmp_path, host, isolation):
    started = time.monotonic()
    hang, fine = _results(tmp_path, host, isolation, _case("hang", "while True: pass"), _case("ok", "x = 1"))
    assert time.monotonic() - started < 5
    assert hang["outcome"] == "timeout" and len(hang["steps"]) == 1
    assert fine["outcome"] == "ok" and fine["steps"][1]["outcome"] == "returned"


def test_abort_is_crash(tmp_path, host, isolation):
    (result,) = _results(tmp_path, host, isolation, _case("abort", "import os\nos.abort()"))
    assert result["outcome"] == "crash" and result["detail"] == "killed by SIGABRT"
    assert [s["outcome"] for s in result["steps"]] == ["returned"]  # the step before the crash is kept


def test_exit_is_crash(tmp_path, host, isolation):
    (result,) = _results(tmp_path, host, isolation, _case("exit", "import os\nos._exit(3)"))
    assert (result["outcome"], result["detail"]) == ("crash", "exited with code 3")


def test_output_of_bodies_does_not_corrupt_the_protocol(tmp_path, host, isolation):
    noisy = _case("noisy", "import sys\nprint('to stdout')\nsys.stdout.flush()\nprint('{', file=sys.stderr)")
    (result,) = _results(tmp_path, host, isolation, noisy)
    assert result["outcome"] == "ok"


def test_timeouts_and_crashes_compare_equal_on_both_sides(tmp_path, host, isolation):
    result = _run(tmp_path, host, isolation, _case("hang", "while True: pass"),
                  _case("abort", "import os\nos.abort()"), timeout=0.5)
    assert [v.status for v in result.verdicts] == ["passed", "passed"]


def test_grandchildren_are_killed_on_timeout(tmp_path, host):
    pid_file = tmp_path / "grandchild.pid"
    source = ("import os, time\npid = os.fork()\nif pid == 0:\n    time.sleep(60)\n    os._exit(0)\n"
              "open(%r, 'w').write(str(pid))\nwhile True: pass\n" % str(pid_file))
    (result,) = _results(tmp_path, host, "fork", _case("forker", source), timeout=1.0)
    assert result["outcome"] == "timeout"
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid):
    try:
        with open("/proc/%d/status" % pid) as handle:
            state = [line for line in handle if line.startswith("State:")][0]
    except OSError:
        return False
    return "Z" not in state.split()[1]


def test_no_worker_processes_remain(tmp_path, host):
    from conformance._protocol import WORKER_SCRIPT

    _run(tmp_path, host, "fork", _case("ok", "x = 1"))
    time.sleep(0.2)
    mine = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = open("/proc/%s/cmdline" % entry, "rb").read().decode(errors="replace")
                ppid = [l for l in open("/proc/%s/status" % entry) if l.startswith("PPid:")][0].split()[1]
            except (OSError, IndexError):
                continue
            if str(WORKER_SCRIPT) in cmdline and int(ppid) == os.getpid() and _alive(int(entry)):
                mine.append(entry)
    assert mine == []


@pytest.mark.parametrize("mode", ["fork", "subprocess", "inprocess"])
def test_a_case_with_optimize_runs_at_that_level_whatever_the_isolation(host, mode):
    """`optimize` (-O, -OO): the case's runs go to workers started at that level, a fresh run
    (a process of its own) too; other cases to the usual ones."""
    from conformance._pool import Pool

    case = {"id": "o", "files": {"m.py": ["level = __import__('sys').flags.optimize"]},
            "steps": [{"op": "import_module", "name": "m"}, {"op": "getattr", "module": "m", "attr": "level"}]}
    pool = Pool(host, 1, mode)
    try:
        levels = [[result["steps"][1]["result"]["value"] for result in pool.run(dict(case, optimize=level),
                                                                                   ["stdlib", "impl"], 5.0, fresh=fresh)]
                  for level in (2, 0, 1) for fresh in (False, True)]
    finally:
        pool.close()
    assert levels == [[2, 2], [2, 2], [0, 0], [0, 0], [1, 1], [1, 1]]


@pytest.mark.parametrize("mode", ["fork", "subprocess", "inprocess"])
def test_a_case_with_verbose_runs_under_v_and_observes_its_reports_whatever_the_isolation(host, mode):
    """`verbose` (-v): the case's runs go to workers started with -v, a fresh run too, and each
    step observes the import system's reports; other cases run without -v and observe none."""
    from conformance._pool import Pool

    case = {"id": "v", "files": {"m.py": ["verbose = __import__('sys').flags.verbose"]},
            "steps": [{"op": "import_module", "name": "m"}, {"op": "getattr", "module": "m", "attr": "verbose"}]}
    pool = Pool(host, 1, mode)
    try:
        runs = [pool.run(dict(case, verbose=True) if verbose else case, ["stdlib", "impl"], 5.0, fresh=fresh)
                for verbose in (True, False) for fresh in (False, True)]
    finally:
        pool.close()
    for run, verbose in zip(runs, (True, True, False, False)):
        for result in run:
            assert result["steps"][1]["result"]["value"] == int(verbose)
            reports = result["steps"][0].get("verbose")
            assert reports == (["# code object from <case>/m.py", "import 'm'"]
                               if verbose else None), result["target"]
