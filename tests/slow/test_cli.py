"""The CLI: exit codes, one-line errors naming what is wrong, the JSON report."""
import json
import subprocess
import sys

import pytest

from conformance._case import CATALOGUE
from tests.conftest import CPYTHONS, TARGETS, case_file

pytestmark = pytest.mark.slow

SMALL = {"id": "small", "files": {"pkg/__init__.py": "", "pkg/m.py": "x = 1"},
         "steps": [{"op": "import_module", "name": "pkg.m"}, {"op": "import_module", "name": ".m"},
                   {"op": "reload", "module": {"module": "pkg.m"}}]}


@pytest.fixture
def small(tmp_path):
    return case_file(tmp_path, SMALL)


def test_control_exits_0_with_closing_line(cli, small):
    result = cli("check", "--target", TARGETS / "control.py", "--python", "3.11", "--cases", small)
    assert result.code == 0 and result.last_line == "1 passed, 0 failed"


def test_divergence_exits_1_and_json_report(cli, small, tmp_path):
    report = tmp_path / "r.json"
    result = cli("check", "--target", TARGETS / "mutant_import_module_package_required.py",
                 "--python", "3.8", "--python", "3.13", "--cases", small, "--json", report)
    assert result.code == 1 and result.last_line == "0 passed, 2 failed"
    assert "DIVERGENCE small on cpython 3.8" in result.out
    data = json.loads(report.read_text())
    assert [i["version"][:4] for i in data["interpreters"]] == ["3.8.", "3.13"]
    assert (data["cases"], data["passed"], data["failed"]) == (2, 0, 2)
    assert data["elapsed_seconds"] > 0 and data["cases_per_second"] > 0
    divergence = data["divergences"][0]
    assert divergence["case"]["id"] == "small"
    assert {"path": "steps[1].exception.type", "target": "ValueError", "reference": "TypeError"} in divergence["differences"]
    assert divergence["target_observation"]["steps"][1]["exception"]["type"] == "ValueError"


def test_partial_target_is_unsupported_not_failed(cli, small):
    result = cli("check", "--target", TARGETS / "partial.py", "--python", "3.11", "--cases", small)
    assert result.code == 0 and result.last_line == "0 passed, 0 failed (1 unsupported)"


def test_noisy_target_works(cli, small):
    result = cli("check", "--target", TARGETS / "noisy_control.py", "--python", "3.11", "--cases", small)
    assert result.code == 0, result.out + result.err


@pytest.mark.parametrize("args, message", [
    (["--target", "nothere.py"], "--target nothere.py: no such file"),
    (["--target", "not a module!"], "--target not a module!: expected stdlib"),
    (["--target", "stdlib", "--reference", "missing_dir/x.py"], "--reference missing_dir/x.py: no such file"),
    (["--target", "stdlib", "--python", "3.99"], "--python 3.99: no CPython 3.99"),
    (["--target", "stdlib", "--python", "/nonexistent/python"], "--python /nonexistent/python: not a working"),
    (["--target", "stdlib", "--cases", "nowhere.json"], "nowhere.json: no such case file"),
    (["--target", str(TARGETS / "broken_import_time.py"), "--python", "3.11"], "failed to load: RuntimeError"),
    (["--target", str(TARGETS / "broken_empty.py"), "--python", "3.11"], "defines none of"),
    (["--target", "no_such_module_anywhere", "--python", "3.11"], "No module named 'no_such_module_anywhere'"),
])
def test_bad_usage_exits_2_with_one_line(cli, small, args, message):
    if "--cases" not in args:
        args = args + ["--cases", str(small)]
    result = cli("check", *args)
    assert result.code == 2
    assert message in result.err
    assert result.err.strip().count("\n") == 0 and "Traceback" not in result.err


def test_invalid_case_file_exits_2(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": 1, "cases": [{"id": "x", "steps": [{"op": "nope"}]}]}))
    result = cli("check", "--target", "stdlib", "--cases", bad, "--python", "3.11")
    assert result.code == 2 and "bad.json: invalid case file at cases[0].steps[0]: unknown op 'nope'" in result.err


def test_argparse_errors_exit_2_without_traceback():
    out = subprocess.run([sys.executable, "-m", "conformance", "check", "--timeout", "-1", "--target", "stdlib"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "--timeout" in out.stderr and "Traceback" not in out.stderr


def test_interpreters_lists_every_cpython_and_pypy(cli):
    result = cli("interpreters")
    versions = [line.split()[1] for line in result.out.splitlines() if line.startswith("cpython")]
    for version in CPYTHONS:
        assert any(v.startswith(version + ".") for v in versions), version
    assert any(line.startswith("pypy 3.9") for line in result.out.splitlines())
    assert any(line.startswith("pypy 3.11") for line in result.out.splitlines())


def test_default_interpreters_are_announced(cli, small):
    result = cli("check", "--target", "stdlib", "--cases", small)
    assert result.err.startswith("interpreters: cpython 3.8")
    assert result.code == 0


def test_subprocess_isolation_gives_the_same_verdicts(cli):
    catalogue_file = CATALOGUE / "circular.json"
    forked = cli("check", "--target", "stdlib", "--reference", "expected", "--python", "3.8",
                 "--cases", catalogue_file)
    fresh = cli("check", "--target", "stdlib", "--reference", "expected", "--python", "3.8",
                "--cases", catalogue_file, "--isolation", "subprocess")
    assert forked.code == fresh.code == 0 and forked.last_line == fresh.last_line
