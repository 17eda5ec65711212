"""The reference implementation against CPython: the whole catalogue on every version, chosen
version profiles on other interpreters, and its branch coverage."""
import os
import subprocess
import sys

import coverage
import pytest

from conformance._case import load_cases
from conformance._check import run_check
from tests.conftest import CPYTHONS, REPO, matches_recordings

pytestmark = pytest.mark.slow

# Behaviour that belongs to the interpreter, not to the import functions: compiler messages,
# C-level messages about integers and partially initialised modules, the spec the builtin
# importer gave `sys` at start-up, the frozen importer, the zip importer (impl uses the
# interpreter's; before 3.10 it has only the legacy protocol), a module's repr (its type's), the
# importlib.util helpers a case's finders call.
# Running one version's profile on another interpreter may differ in these and in nothing else
# (docs/reference-implementation.md: "Deliberate differences").
INTERPRETER_OWNED = {"dunder_import.level.float", "import_module.absolute.builtin", "machinery.frozen_module",
                     "machinery.frozen_package", "machinery.frozen_aliases",
                     "import_module.error.syntax", "import_module.error.null_byte", "reload.syntax_error",
                     "circular.attribute_partial", "circular.submodule_attribute_while_initializing",
                     # the spec helpers and the builtin importer the case's finders call
                     "machinery.spec_from_loader.origin", "machinery.spec_from_file_location.relative",
                     "machinery.spec_from_file_location.importer_loaders", "machinery.spec_from_loader.builtin_importer",
                     "machinery.spec_from_file_location.frozen_name",
                     "machinery.spec_from_file_location.frozen_package_name",
                     "bytecode.pycache_prefix_relative_paths",
                     # -v's reports of the interpreter's zip importer and of a builtin module's
                     # initialisation (3.8: "previously loaded")
                     "verbose.modules"}
INTERPRETER_OWNED_FILES = ("zip.",)


@pytest.mark.parametrize("version", CPYTHONS)
def test_impl_matches_the_stdlib_and_the_recordings(cli, version, tmp_path):
    same = cli("check", "--target", "impl", "--python", version)
    assert same.code == 0, same.out[-3000:]
    report = tmp_path / "r.json"
    recorded = cli("check", "--target", "impl", "--reference", "expected", "--python", version, "--json", report)
    assert matches_recordings(recorded, report), recorded.out[-3000:]


@pytest.mark.parametrize("profile, interpreter", [("3.8", "3.13"), ("3.13", "3.8"), ("3.10", "3.12"), ("3.15", "3.13"),
                                                  ("3.13", "3.15")])
def test_a_chosen_version_runs_on_another_interpreter(tmp_path, cli, profile, interpreter):
    import json

    report = tmp_path / "r.json"
    cli("check", "--target", "impl:" + profile, "--reference", "expected:" + profile,
        "--python", interpreter, "--json", report, "--ignore", "*.repr")
    data = json.loads(report.read_text())
    assert data["cases"] >= 150 and data["errors"] == []
    diverging = {d["case"]["id"] for d in data["divergences"]}
    assert {case for case in diverging if not case.startswith(INTERPRETER_OWNED_FILES)} <= INTERPRETER_OWNED


def test_branch_coverage_of_impl_is_at_least_95_percent(tmp_path, host, monkeypatch):
    monkeypatch.setenv("CONFORMANCE_COVERAGE", str(tmp_path))
    cases = load_cases()
    for target in ("impl", "impl:3.8", "impl:3.9", "impl:3.12", "impl:3.13"):
        reference = "stdlib" if target == "impl" else "expected:" + target[5:]
        run_check(cases, [host], target, reference)
    subprocess.run([sys.executable, "-m", "coverage", "run", "--branch", "--source=conformance.impl",
                    "--data-file=%s" % (tmp_path / ".coverage.unit"), "-m", "pytest", "-q",
                    "-p", "no:cacheprovider", "-p", "no:xdist", str(REPO / "tests/cover/test_impl_unit.py")],
                   check=True, cwd=str(REPO), capture_output=True,
                   env={k: v for k, v in os.environ.items() if k != "CONFORMANCE_COVERAGE"})
    combined = coverage.Coverage(data_file=str(tmp_path / ".coverage"), branch=True)
    combined.combine([str(tmp_path)])
    with open(os.devnull, "w") as sink:
        percent = combined.report(file=sink, include=[str(REPO / "conformance" / "impl" / "*")])
    assert percent >= 95.0
