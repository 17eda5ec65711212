"""Reports: repro scripts for every catalogue case are valid Python 3.8; Markdown has its parts."""
import ast

from conformance._case import load_cases
from conformance._compare import Difference, Divergence
from conformance._findings import Finding
from conformance._interpreters import Interpreter
from conformance.reports import markdown_report, repro_script


def test_repro_scripts_of_all_catalogue_cases_parse_as_python_38():
    for case in load_cases():
        source = repro_script(case.data)
        ast.parse(source, case.id, feature_version=(3, 8))


def test_markdown_report_sections():
    case = {"id": "fuzz.x", "files": {"r0/a.py": ["__executed__(__name__)"]}, "sys_path": ["r0"],
            "steps": [{"op": "import_module", "name": ".a"}]}
    def raised(kind):
        return {"outcome": "ok", "steps": [{"op": "import_module", "outcome": "raised",
                                            "exception": {"type": kind, "message": "no"}}], "final": {}}

    divergence = Divergence("fuzz.x", "cpython 3.11.7",
                            [Difference("steps[0].exception.type", "ValueError", "TypeError")],
                            raised("ValueError"), raised("TypeError"))
    finding = Finding(("import_module", ("steps[].exception.type",), ("ValueError", "TypeError")),
                      case, divergence, [Interpreter("/usr/bin/python3", "cpython", (3, 11, 7))])
    other = {"id": "fuzz.y", "files": {}, "steps": [{"op": "invalidate_caches"}, {"op": "import_module", "name": "b"}]}
    finding.absorbed = [Finding(("import_module", ("steps[].exception.type",), ("KeyError", "TypeError")), other,
                                Divergence("fuzz.y", "cpython 3.11.7", [Difference("steps[1].exception.type",
                                                                                   "KeyError", "TypeError")]), [])]
    text = markdown_report(finding, "mutant.py", "stdlib")
    assert ("- `import_module`: `steps[].exception.type`, the target raises KeyError where the reference raises TypeError; "
            "case `fuzz.y`: `import_module(name=b)`") in text
    title = '# import_module(name=.a) raises ValueError("no") with mutant.py, where stdlib raises TypeError("no")'
    for part in (title, "## Files", "`r0/a.py`:",
                 "## Steps", "0. `import_module(name='.a')`", "| `steps[0].exception.type` | ValueError | TypeError |",
                 "## Reproduce", "## Seed sentences involved", "import_module.3"):
        assert part in text, part


def test_markdown_reports_of_every_catalogue_case_are_written():
    """Every vocabulary a case can use (bytecode, archives, legacy finders...) renders."""
    interpreter = Interpreter("/usr/bin/python3", "cpython", (3, 11, 7))
    for case in load_cases():
        observed = {"outcome": "ok", "steps": [{"op": "x", "outcome": "returned"}], "final": {}}
        divergence = Divergence(case.id, "cpython 3.11.7", [Difference("final.x", 1, 2)], observed, observed)
        text = markdown_report(Finding(("case", ("final.x",), (None, None)), case.data, divergence, [interpreter]),
                               "impl", "stdlib")
        assert "## Steps" in text, case.id


def _repro(tmp_path, case, target):
    import subprocess
    import sys

    script = tmp_path / "repro.py"
    script.write_text(repro_script(case))
    done = subprocess.run([sys.executable, str(script), str(target)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_repro_runs_a_hook_target_as_the_worker_does(tmp_path):
    # lazy_hook defines only install()/uninstall() and INSTALL = "before-setup": its path hook
    # must serve the case's own sys.path entry, so m runs at its first attribute access only.
    from tests.conftest import REPO

    case = {"id": "lazy", "files": {"m.py": ["__executed__(__name__)", "x = 1"]},
            "steps": [{"op": "import_module", "name": "m"}, {"op": "getattr", "module": "m", "attr": "x"}]}
    def executed_by_step(output):
        steps = output.split("\nstep ")
        return ["  executed: ['m']" in text for text in steps]

    assert executed_by_step(_repro(tmp_path, case, "stdlib")) == [True, False]
    assert executed_by_step(_repro(tmp_path, case, REPO / "hooks" / "lazy_path_hook.py")) == [False, True]


def test_repro_calls_install_and_uninstall_around_the_steps(tmp_path):
    log = tmp_path / "log.txt"
    target = tmp_path / "recording_hook.py"
    target.write_text("import importlib\n_import_module = importlib.import_module\n"
                      "def _log(text):\n    open(%r, 'a').write(text + '\\n')\n"
                      "def install():\n    _log('install')\n"
                      "def uninstall():\n    _log('uninstall')\n"
                      "def import_module(name, package=None):\n"
                      "    _log('import_module ' + name)\n    return _import_module(name, package)\n"
                      % str(log))
    case = {"id": "c", "files": {"a.py": "x = 1"}, "steps": [{"op": "import_module", "name": "a"}]}
    _repro(tmp_path, case, target)
    assert log.read_text().splitlines() == ["install", "import_module a", "uninstall"]
