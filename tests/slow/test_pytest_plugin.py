"""The pytest plugin: the catalogue as pytest items per interpreter, spread by pytest-xdist,
expectations as strict xfails, JUnit XML from pytest, and fuzz shards over several gateways
whose findings land in one directory grouped by root cause."""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conformance._interpreters import resolve
from tests.conftest import REPO, TARGETS

pytestmark = pytest.mark.slow
DUNDER = REPO / "conformance" / "catalogue" / "dunder_import.json"


def _pytest(tmp_path, *args, timeout=900):
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rxX", *map(str, args)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=timeout)
    return done.returncode, done.stdout + done.stderr


def _junit_cases(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    return [case for suite in suites for case in suite.iter("testcase")]


def test_catalogue_on_38_and_313_with_two_xdist_workers(tmp_path):
    junit = tmp_path / "j.xml"
    code, out = _pytest(tmp_path, "-n", "2", "--conformance-target", "stdlib", "--conformance-python", "3.8",
                        "--conformance-python", "3.13", "--junitxml", junit)
    assert code == 0, out[-3000:]
    cases = _junit_cases(junit)
    labels = {resolve(v).label.replace(" ", "-") for v in ("3.8", "3.13")}
    names = {(c.get("classname"), c.get("name")) for c in cases}  # JUnit: interpreter, case id
    for label in labels:  # every catalogue case, once per interpreter
        assert (label, "dunder_import.level.float") in names
    assert len(cases) == len(names) > 500
    assert not [c for c in cases if c.find("failure") is not None or c.find("error") is not None]


def test_pypy_with_its_expectations_shows_xfails_and_a_stale_entry_fails(tmp_path):
    code, out = _pytest(tmp_path, "-n", "2", "--conformance-target", "stdlib", "--conformance-reference", "expected",
                        "--conformance-python", "pypy3", "--conformance-expectations",
                        REPO / "expectations" / "pypy3.9.toml")
    assert code == 0 and "10 xfailed" in out, out[-3000:]
    assert "XFAIL" in out and "dunder_import.level.float" in out
    # the same entries for CPython 3.9: every listed case passes there, so each is XPASS(strict)
    cpython = tmp_path / "cpython.toml"
    cpython.write_text((REPO / "expectations" / "pypy3.9.toml").read_text().replace('"pypy 3.9*"', '"cpython 3.9*"'))
    code, out = _pytest(tmp_path, "--conformance-target", "stdlib", "--conformance-reference", "expected",
                        "--conformance-python", "3.9", "--conformance-expectations", cpython,
                        "-k", "level.float or error.syntax")
    assert code == 1 and out.count("[XPASS(strict)]") == 2 and "2 failed" in out, out[-3000:]


def test_a_divergence_fails_its_item_and_k_selects(tmp_path):
    code, out = _pytest(tmp_path, "--conformance-target", TARGETS / "mutant_import_level_message.py",
                        "--conformance-python", "3.11", "--conformance-cases", DUNDER, "-k", "negative")
    assert code == 1 and "2 failed" in out and "deselected" in out
    assert "DIVERGENCE dunder_import.level.negative on cpython" in out


def test_fuzz_shards_on_two_gateways_group_their_findings(tmp_path):
    out_dir = tmp_path / "found"
    code, out = _pytest(tmp_path, "-p", "xdist", "--tx", "popen", "--tx", "popen", "--dist", "load",
                        "--conformance-target", TARGETS / "mutant_import_module_empty.py",
                        "--conformance-python", "3.11", "--conformance-cases", DUNDER,
                        "--conformance-fuzz-seconds", "20", "--conformance-out", out_dir)
    assert code == 1, out[-3000:]
    shards = [json.loads((out_dir / ("shard-%d.json" % k)).read_text()) for k in (0, 1)]
    assert [s["seed"] for s in shards] == [0, 1] and all(s["cases"] > 0 for s in shards)
    index = json.loads((out_dir / "findings.json").read_text())
    assert index["shards"] == 2 and len(index["groups"]) >= 1
    for group in index["groups"]:  # one group per root cause, whichever shards found it
        assert len({json.dumps(f["root"]) for f in group["findings"]}) == 1
    found = {f["slug"] for group in index["groups"] for f in group["findings"]}
    assert all((out_dir / slug / "case.json").is_file() for slug in found)


def test_without_a_target_the_plugin_does_nothing(tmp_path):
    (tmp_path / "test_one.py").write_text("def test_one():\n    assert True\n")
    code, out = _pytest(tmp_path)
    assert code == 0 and "1 passed" in out
