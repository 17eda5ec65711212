"""Import hooks as targets: a reference the target never touched, hook targets (install() only),
intended differences declared or given with --ignore, and when install() runs."""
import json

import pytest

from conformance._case import load_cases
from conformance._compare import observation
from conformance._interpreters import resolve
from conformance._protocol import Worker
from tests.conftest import REPO, TARGETS, case_file

pytestmark = pytest.mark.slow
PATCHES = TARGETS / "patches_on_import.py"


def test_the_reference_never_sees_what_importing_the_target_did(cli, tmp_path):
    # patches_on_import installs a tagging finder and patches importlib when imported: the
    # target diverges nearly everywhere, and every reference observation must still be the one
    # recorded on CPython 3.11 (a process that never saw any target).
    report = tmp_path / "r.json"
    assert cli("check", "--target", PATCHES, "--python", "3.11", "--json", report).code == 1
    divergences = json.loads(report.read_text())["divergences"]
    assert len(divergences) > 100
    cases = {case.id: case for case in load_cases()}
    for divergence in divergences:
        expected = observation(cases[divergence["case"]["id"]].recording_for((3, 11, 7)))
        assert divergence["reference_observation"] == expected, divergence["case"]["id"]
    tagged = [d for d in divergences if any(p["path"].endswith(".attrs.hooked") for p in d["differences"])]
    assert tagged and all(p["target"] is True for d in tagged for p in d["differences"]
                          if p["path"].endswith(".attrs.hooked"))


def test_fuzz_findings_of_such_a_target_hold_reference_values_of_a_clean_process(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = tmp_path / "r.json"
    result = cli("fuzz", "--target", PATCHES, "--python", "3.11", "--examples", "300", "--seed", "2",
                 "--out", tmp_path / "out", "--json", report)
    assert result.code == 1
    findings = json.loads(report.read_text())["divergences"]
    assert findings and not json.loads(report.read_text())["shared_process"]
    with Worker(resolve("3.11")) as clean:  # found, shrunk and reduced: still what a clean process sees
        for finding in findings:
            (alone,) = clean.run(finding["case"], ["stdlib"], 5.0)
            for difference in finding["differences"]:
                assert _at(observation(alone), difference["path"]) == difference["reference"], difference


def _at(observed, path):
    """The value at a report's field path (steps[0].result.__name__, final.modules.a.b.attrs.x)."""
    import re

    value = observed
    if path.startswith("final.modules."):
        rest = path[len("final.modules."):]
        key = next(k for k in sorted(observed["final"]["modules"], key=len, reverse=True)
                   if rest == k or rest.startswith(k + "."))
        value, path = observed["final"]["modules"][key], rest[len(key) + 1:]
        if not path:
            return value
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            value = value[int(part[1:-1])] if int(part[1:-1]) < len(value) else "<absent>"
        elif isinstance(value, dict):
            value = value.get(part, "<absent>")
        else:
            return "<absent>"
    return value


def test_a_hook_control_passes_with_its_declared_differences(cli, tmp_path):
    report = tmp_path / "r.json"
    result = cli("check", "--target", TARGETS / "hook_control.py", "--python", "3.8", "--python", "3.13",
                 "--json", report)
    assert result.code == 0, result.out[-3000:]
    data = json.loads(report.read_text())
    assert data["ignored_differences"] > 100 and {i["pattern"] for i in data["ignored"]} <= {
        "steps[*].result.__loader__", "steps[*].result.__spec__.loader", "steps[*].result.kind"}
    assert all("declared by" in rule["reason"] for rule in data["ignore_rules"])
    assert "intended differences ignored" in result.last_line


def test_ignore_on_the_command_line_and_what_it_does_not_hide(cli, tmp_path):
    # Without its declarations (a copy without IGNORE), the control fails on loaders; --ignore
    # sets them aside, and a pattern that matches nothing else hides nothing else.
    source = (TARGETS / "hook_control.py").read_text().split("\nIGNORE = ")[0]
    bare = tmp_path / "bare_hook.py"
    bare.write_text(source)
    assert cli("check", "--target", bare, "--python", "3.11").code == 1
    loaders = ["--ignore", "*.__loader__", "--ignore", "*.__spec__.loader", "--ignore", "steps[?].result.kind"]
    assert cli("check", "--target", bare, "--python", "3.11", *loaders).code == 0
    partial = cli("check", "--target", bare, "--python", "3.11", "--ignore", "*.__loader__")
    assert partial.code == 1 and "__spec__.loader" in partial.out and "result.__loader__" not in partial.out


def test_mutants_are_still_caught_under_broad_ignores(cli):
    # intended differences are about fields: a changed exception type must still fail
    result = cli("check", "--target", TARGETS / "mutant_reload_type.py", "--python", "3.11",
                 "--ignore", "*.__loader__", "--ignore", "final.path_importer_cache.*")
    assert result.code == 1 and "ValueError" in result.out


def test_install_order(cli, tmp_path):
    # A hook that puts its finder first (serving module "a" itself) wins over a case finder set
    # up "first" when installed after set-up, and loses to it when installed before.
    hook = ("import importlib.util, sys\n"
            "class Serving:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'a':\n"
            "            return importlib.util.spec_from_loader(name, Loader())\n"
            "class Loader:\n"
            "    def create_module(self, spec): return None\n"
            "    def exec_module(self, module): module.where = 'hook'\n"
            "_finder = Serving()\n"
            "def install(): sys.meta_path.insert(0, _finder)\n"
            "def uninstall(): sys.meta_path.remove(_finder)\n")
    case = {"id": "order", "meta_path": [{"finder": "serving", "modules": {"a": "where = 'case'"}}],
            "steps": [{"op": "import_module", "name": "a"}]}
    cases = case_file(tmp_path, case)
    for order, where in (("after-setup", "hook"), ("before-setup", "case")):
        target = tmp_path / ("hook_%s.py" % order.replace("-", "_"))
        target.write_text(hook + "INSTALL = %r\n" % order)
        report = tmp_path / ("%s.json" % order)
        cli("check", "--target", target, "--python", "3.11", "--cases", cases, "--json", report)
        data = json.loads(report.read_text())
        seen = data["divergences"][0]["target_observation"] if data["divergences"] else None
        attrs = (seen or {}).get("final", {}).get("modules", {}).get("a", {}).get("attrs", {})
        assert attrs.get("where", "case") == where, (order, data["divergences"])


def test_bad_declarations_are_usage_errors(cli, tmp_path):
    for body, message in (("INSTALL = 'sometime'", "INSTALL must be one of"),
                          ("IGNORE = ['*.__loader__']", "IGNORE must be a dict"),
                          ("REPLACES_IMPORTLIB = 0", "REPLACES_IMPORTLIB must be True or False"),
                          ("x = 1", "defines none of")):
        target = tmp_path / "bad.py"
        target.write_text("def install(): pass\n" * ("none" not in message) + body + "\n")
        result = cli("check", "--target", target, "--python", "3.11")
        assert result.code == 2 and message in result.err and "Traceback" not in result.err, result.err
    assert cli("check", "--target", "stdlib", "--python", "3.11", "--ignore", " ").code == 2


@pytest.mark.parametrize("version", ["3.8", "3.11", "3.13"])
def test_observations_never_run_a_lazy_module(version):
    # The module's body records its execution: importing it lazily runs nothing, observing the
    # module (result, sys.modules, final attributes, bindings) runs nothing, the first real
    # attribute access (a getattr step) runs it.
    case = {"id": "lazy", "files": {"pkg/__init__.py": "__executed__(__name__)",
                                    "pkg/m.py": ["__executed__(__name__)", "x = 1"]},
            "steps": [{"op": "import_module", "name": "pkg.m"}, {"op": "invalidate_caches"},
                      {"op": "getattr", "module": "pkg.m", "attr": "x"}]}
    with Worker(resolve(version)) as worker:
        lazy, eager = worker.run(case, [str(REPO / "hooks" / "lazy_path_hook.py"), "stdlib"], 5.0)
    assert [step["executed"] for step in eager["steps"]] == [["pkg", "pkg.m"], [], []]
    # importing pkg.m reads pkg.__path__, which runs pkg (the import system's doing); pkg.m waits
    assert [step["executed"] for step in lazy["steps"]] == [["pkg"], [], ["pkg.m"]], lazy["steps"]
    assert lazy["steps"][0]["result"]["__name__"] == "pkg.m"  # observed, all the same
    assert lazy["steps"][2]["result"] == {"type": "int", "value": 1}


def test_an_error_says_where_and_what(tmp_path):
    target = tmp_path / "bad_install.py"
    target.write_text("def install():\n    raise RuntimeError('no hook here: ' + __import__('os').getcwd())\n")
    with Worker(resolve("3.11")) as worker:
        (result,) = worker.run({"id": "e", "steps": [{"op": "invalidate_caches"}]}, [str(target)], 5.0)
    assert result["outcome"] == "error"
    assert {k: result["error"][k] for k in ("phase", "type", "message")} == {
        "phase": "install", "type": "RuntimeError", "message": "no hook here: <case>"}
    assert result["detail"] == "install: RuntimeError: no hook here: <case>"
    assert "Traceback" in result["error"]["traceback"]


@pytest.mark.parametrize("target", ["bare_hook", "mutant_reload_type.py"])
def test_findings_reproduce_standalone(cli, tmp_path, monkeypatch, target):
    # Each written finding: finding.py fails with the target and passes without it; repro.py
    # prints something else with the target than with the stdlib. Both need nothing but Python.
    import subprocess

    monkeypatch.chdir(tmp_path)
    if target == "bare_hook":  # the control hook without its declarations: loader findings
        path = tmp_path / "bare_hook.py"
        path.write_text((TARGETS / "hook_control.py").read_text().split("\nIGNORE = ")[0])
    else:
        path = TARGETS / target
    out = tmp_path / "out"
    # plain cases: finding.py writes files on disk; archives, bytecode and finders are repro.py's to write
    result = cli("fuzz", "--target", path, "--python", "3.11", "--examples", "1000", "--seed", "1",
                 "--policy", "no-zips,no-bytecode,no-finders", "--out", out, "--json", tmp_path / "r.json")
    assert result.code == 1
    python = resolve("3.11").path
    written = sorted(out.iterdir())
    assert written and all((where / "finding.py").exists() for where in written)
    for where in written:
        def run(*args):
            return subprocess.run([python, *map(str, args)], capture_output=True, text=True, timeout=60, cwd=where)

        failing, passing = run("finding.py"), run("finding.py", "--without-target")
        assert failing.returncode == 1 and "DIFFERS:" in failing.stdout, failing.stdout + failing.stderr
        assert passing.returncode == 0, passing.stdout + passing.stderr
        stdlib, hooked = run("repro.py", "stdlib"), run("repro.py", path)
        assert stdlib.returncode == hooked.returncode == 0 and stdlib.stdout != hooked.stdout
        title = (where / "report.md").read_text().splitlines()[0]
        assert title.startswith("# ") and " with %s" % path.name in title


def test_a_virtual_environment_is_run_as_itself(cli, tmp_path):
    # A hook's library is installed in a virtual environment of the interpreter under test: the
    # worker must run the environment's python (not the base interpreter it links to), and a
    # file target must find the environment's packages without any sys.path editing.
    import subprocess

    from conformance._interpreters import probe

    venv = tmp_path / "venv"
    subprocess.run([resolve("3.11").path, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    assert probe(str(python)).path == str(python)
    site = next((venv / "lib").glob("python3.11/site-packages"))
    (site / "only_in_venv.py").write_text("import importlib\nimport_module = importlib.import_module\n")
    target = tmp_path / "uses_venv.py"
    target.write_text("from only_in_venv import import_module\n")
    cases = case_file(tmp_path, {"id": "v", "files": {"a.py": "x = 1"}, "steps": [{"op": "import_module", "name": "a"}]})
    result = cli("check", "--target", target, "--python", python, "--cases", cases)
    assert result.code == 0, result.err


@pytest.mark.parametrize("version", ["3.8", "3.13"])
def test_what_a_hook_library_imported_before_does_not_show(cli, tmp_path, version):
    # A hook's library that imported unicodedata (needed to compile a non-ASCII identifier) or
    # _string (a builtin module a case imports again) must not make the case's finder or final
    # state differ from a clean process's.
    target = tmp_path / "preimports.py"
    target.write_text("import unicodedata, _string\n\ndef install():\n    pass\n")
    cases = case_file(tmp_path, {
        "id": "non_ascii", "meta_path": [{"finder": "recording", "name": "rec"}],
        "files": {"b.py": ["import \u00e9"], "\u00e9.py": ["x = 1"]},
        "steps": [{"op": "import_module", "name": "b"}]}, {
        "id": "builtin_again", "files": {"_string.py": ["x = 1"]},
        "steps": [{"op": "import_module", "name": "_string"}, {"op": "del_module", "name": "_string"},
                  {"op": "import_module", "name": "_string"}]})
    result = cli("check", "--target", target, "--python", version, "--cases", cases)
    assert result.code == 0, result.out


def test_a_path_hook_marker_the_environment_put_on_sys_path_does_not_show(cli, tmp_path):
    # setuptools' editable installs put "__editable__.NAME.finder.__path_hook__" on sys.path
    # (from a .pth file, where a target gets site-packages) with a path hook for it: its cache
    # entry is the environment's, and must not look like a path of the case's.
    target = tmp_path / "marker.py"
    target.write_text(
        "import sys\n"
        "MARKER = '__editable__.demo-0.1.finder.__path_hook__'\n"
        "class Finder:\n"
        "    def find_spec(self, name, target=None):\n"
        "        return None\n"
        "def hook(entry):\n"
        "    if entry != MARKER:\n"
        "        raise ImportError\n"
        "    return Finder()\n"
        "sys.path_hooks.append(hook)\n"
        "sys.path.append(MARKER)\n"
        "def install():\n"
        "    pass\n")
    result = cli("check", "--target", target, "--python", "3.11",
                 "--cases", REPO / "conformance" / "catalogue" / "find_loader.json")
    assert result.code == 0, result.out[-2000:]
