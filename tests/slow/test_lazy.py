"""Lazy imports (CPython 3.15) as the worker observes them, and a step that names a module its run
does not have: observed as `unresolved`, and the run goes on."""
import json
import subprocess

import pytest

from conformance._interpreters import resolve
from conformance._protocol import Worker

pytestmark = pytest.mark.slow
LAZY = {"id": "lazy", "files": {"a.py": ["__executed__(__name__)", "lazy import b"],
                                "b.py": ["__executed__(__name__)", "x = 1"]},
        "steps": [{"op": "import_module", "name": "a"}, {"op": "getattr", "module": "a", "attr": "b"}]}


def _run(version, case, **options):
    with Worker(resolve(version)) as worker:
        (result,) = worker.run(case, ["stdlib"], 5.0, **options)
    return result


def test_a_pending_binding_is_observed_without_being_imported_and_its_use_imports_it():
    result = _run("3.15", LAZY)
    imported, used = result["steps"]
    assert imported["executed"] == ["a"] and imported["lazy_modules"] == {"added": ["b"], "removed": []}
    assert used["executed"] == ["b"] and used["lazy_modules"] == {"added": [], "removed": ["b"]}
    assert "lazy_modules" not in result["final"]  # nothing left pending


def test_what_is_left_pending_is_in_the_final_state_and_a_binding_reads_lazy_name():
    result = _run("3.15", {**LAZY, "steps": LAZY["steps"][:1]})
    assert result["final"]["lazy_modules"] == ["b"]
    assert result["final"]["modules"]["a"]["attrs"]["b"] == "lazy b"  # observing did not import it
    assert "b" not in result["final"]["modules"]


def test_a_case_with_lazy_imports_is_unsupported_before_3_15_and_its_syntax_an_error():
    moded = {**LAZY, "lazy_imports": {"mode": "all"}}
    assert _run("3.14", moded)["outcome"] == "unsupported"
    assert _run("3.14", LAZY)["steps"][0]["exception"]["type"] == "SyntaxError"


def test_the_global_mode_and_filter_are_in_force_for_the_steps_and_the_filter_calls_observed():
    case = {"id": "mode", "lazy_imports": {"mode": "all", "filter": {"eager": ["b"]}},
            "files": {"a.py": ["__executed__(__name__)", "import b", "import c"], "b.py": ["__executed__(__name__)"],
                      "c.py": ["__executed__(__name__)"]},
            "steps": [{"op": "import_module", "name": "a"}]}
    shared = _run("3.15", case, shared_process=True)
    (step,) = shared["steps"]
    assert step["executed"] == ["a", "b"] and step["lazy_modules"]["added"] == ["c"]
    assert [call[:4] for call in step["finder_calls"]] == [["lazy", "filter", "a", "b"], ["lazy", "filter", "a", "c"]]
    with Worker(resolve("3.15"), isolation="inprocess") as worker:  # a case with lazy imports gets a
        (alone,) = worker.run(case, ["stdlib"], 5.0)                 # process of its own even so
        (plain,) = worker.run({**case, "id": "plain", "lazy_imports": {"mode": "normal"}}, ["stdlib"], 5.0)
    assert alone["steps"] == shared["steps"]
    assert plain["steps"][0]["executed"] == ["a", "b", "c"] and "lazy_modules" not in plain["steps"][0]


@pytest.mark.parametrize("version", ["3.8", "3.15"])
def test_a_step_naming_a_module_the_run_lacks_is_unresolved_and_the_run_goes_on(version):
    case = {"id": "unresolved", "files": {"a.py": ["__executed__(__name__)"]},
            "steps": [{"op": "reload", "module": {"module": "never_imported"}},
                      {"op": "import_module", "name": "a"}]}
    result = _run(version, case)
    assert result["outcome"] == "ok", json.dumps(result)[:500]
    missing, imported = result["steps"]
    assert missing["outcome"] == "unresolved" and missing["unresolved"] == "sys.modules['never_imported'] is missing"
    assert imported["executed"] == ["a"]


def test_a_target_broken_on_lazy_imports_is_caught_by_the_catalogue_and_the_search(cli, tmp_path):
    from tests.conftest import TARGETS

    broken = TARGETS / "lazy_keeps_pending.py"
    checked = cli("check", "--target", broken, "--python", "3.15", "--cases",
                  "conformance/catalogue/lazy.json")
    assert checked.code == 1 and "DIVERGENCE lazy.import_module_of_pending on cpython 3.15" in checked.out
    assert "steps[1].lazy_modules" in checked.out
    assert cli("check", "--target", broken, "--python", "3.14", "--cases", "conformance/catalogue/lazy.json").code == 0
    # a campaign on lazy imports alone finds it (the default policy's cases reach it more rarely)
    fuzzed = cli("fuzz", "--target", broken, "--python", "3.15", "--seconds", "120", "--seed", "1", "--first",
                 "--policy", "none,lazy", "--out", tmp_path / "found")
    assert fuzzed.code == 1 and "lazy_modules" in fuzzed.out, fuzzed.out[-2000:]
    # and its standalone script shows the difference: the name left pending with the target only
    (repro,) = (tmp_path / "found").glob("*/repro.py")
    python = resolve("3.15").path
    plain = subprocess.run([python, str(repro)], capture_output=True, text=True, timeout=60)
    hooked = subprocess.run([python, str(repro), str(broken)], capture_output=True, text=True, timeout=60)
    assert plain.returncode == hooked.returncode == 0, plain.stderr + hooked.stderr
    differing = set(plain.stdout.splitlines()) ^ set(hooked.stdout.splitlines())
    assert differing and all("lazy" in line for line in differing), differing  # only what is pending differs
    assert any("still pending lazily" in line for line in set(hooked.stdout.splitlines()) - set(plain.stdout.splitlines()))


def test_a_finding_with_a_lazy_imports_mode_gets_repro_py_only_which_says_where_it_does_not_apply(tmp_path):
    """finding.py cannot set a lazy imports mode: such a case keeps repro.py, which sets it on 3.15
    and, on an interpreter without lazy imports, says the case does not apply (no traceback)."""
    from conformance._compare import Difference, Divergence
    from conformance._findings import Finding
    from conformance._interpreters import Interpreter
    from conformance.reports import repro_script
    from conformance.reports._short import short_script
    from tests.conftest import TARGETS

    plain = {"id": "fuzz.lazy", "files": {"r0/a.py": []}, "sys_path": ["r0"],
             "steps": [{"op": "import_module", "name": "a"}, {"op": "getattr", "module": "a", "attr": "__loader__"}]}
    first = {"op": "import_module", "outcome": "returned"}
    mine = {"op": "getattr", "outcome": "done", "result": {"type": "NoneType", "value": None}}
    theirs = {"op": "getattr", "outcome": "done", "result": {"type": "loader", "kind": "SourceFileLoader"}}
    divergence = Divergence(plain["id"], "cpython 3.15.2", [Difference("steps[1].result.type", "NoneType", "loader")],
                            {"outcome": "ok", "steps": [first, mine], "final": {}},
                            {"outcome": "ok", "steps": [first, theirs], "final": {}})

    def finding(case):
        return Finding(("getattr", ("steps[].result.type",), (None, None)), case, divergence,
                       [Interpreter("/usr/bin/python3", "cpython", (3, 15, 2))])

    control = str(TARGETS / "control.py")
    assert short_script(finding(plain), control, "stdlib") is not None  # said plainly, without a mode
    assert short_script(finding({**plain, "lazy_imports": {"mode": "all"}}), control, "stdlib") is None
    case = {**LAZY, "id": "fuzz.lazy", "lazy_imports": {"mode": "all", "filter": {"eager": ["zz"]}}}
    script = tmp_path / "repro.py"
    script.write_text(repro_script(case))
    old = subprocess.run([resolve("3.8").path, str(script)], capture_output=True, text=True, timeout=60)
    assert old.returncode == 0 and old.stderr == ""
    assert old.stdout == "unsupported: this interpreter has no lazy imports (CPython 3.15 added them)\n"
    new = subprocess.run([resolve("3.15").path, str(script)], capture_output=True, text=True, timeout=60)
    assert new.returncode == 0 and new.stderr == "", new.stderr
    assert "lazy filter asked: a imports b" in new.stdout and "sys.lazy_modules: added ['b']" in new.stdout
