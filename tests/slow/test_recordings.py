"""Recorded expectations: each CPython matches them; PyPy's divergences are the findings docs/findings.md lists;
re-recording reproduces the committed files."""
import json
import re
import shutil

import pytest

from conformance._case import CATALOGUE, load_cases
from conformance._recordings import RecordError, record
from conformance._interpreters import resolve
from tests.conftest import CPYTHONS, REPO, matches_recordings

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("version", CPYTHONS)
def test_stdlib_matches_expectations(cli, version, tmp_path):
    report = tmp_path / "r.json"
    result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", version, "--json", report)
    assert matches_recordings(result, report), result.out[-3000:]
    passed = int(result.last_line.split()[0])
    assert passed >= 150


@pytest.mark.parametrize("pypy", ["pypy3", "pypy3.11"])
def test_pypy_runs_and_its_divergences_are_the_documented_findings(cli, tmp_path, pypy):
    report = tmp_path / "pypy.json"
    result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", pypy,
                 "--json", report)
    data = json.loads(report.read_text())
    assert data["cases"] >= 150 and data["errors"] == []
    found = sorted({d["case"]["id"] for d in data["divergences"]})
    findings = (REPO / "docs" / "findings.md").read_text()
    section = findings.split("## PyPy findings")[1].split("\n#")[0]
    if pypy == "pypy3":  # PyPy 3.9's: the section up to PyPy 3.11's paragraph, which names its own too
        section = section.split("\nPyPy 8.0.1")[0]
    listed = sorted(set(re.findall(r"`([a-z_]+\.[a-z_.0-9]+)`", section)))
    assert found == listed
    assert result.code == (1 if found else 0)


def test_rerecording_reproduces_the_committed_expectations(tmp_path):
    source = CATALOGUE / "circular.json"
    shutil.copy(source, tmp_path / "circular.json")
    cases = load_cases([tmp_path / "circular.json"])
    for case in cases:
        case.recordings = []
    record(cases, [resolve("3.8"), resolve("3.13")], jobs=2, timeout=5.0)
    fresh = json.loads((tmp_path / "expected" / "circular.json").read_text())["expected"]
    committed = json.loads((CATALOGUE / "expected" / "circular.json").read_text())["expected"]
    for case_id, groups in fresh.items():
        old = {v: g for g in committed[case_id] for v in g["pythons"]}
        for group in groups:
            for version in group["pythons"]:
                mine = {k: group[k] for k in ("outcome", "steps", "final")}
                assert mine == {k: old[version][k] for k in ("outcome", "steps", "final")}, (case_id, version)


def test_recording_refuses_non_cpython(tmp_path):
    with pytest.raises(RecordError, match="CPython only"):
        record(load_cases([CATALOGUE / "circular.json"]), [resolve("pypy3")], jobs=1, timeout=5.0)


def test_recording_refuses_nondeterministic_cases(tmp_path):
    from tests.conftest import case_file

    path = case_file(tmp_path, {"id": "random", "files": {"r.py": "import os\nv = os.urandom(8).hex()"},
                                "steps": [{"op": "import_module", "name": "r"}]})
    with pytest.raises(RecordError, match="not deterministic"):
        record(load_cases([path]), [resolve("3.11")], jobs=1, timeout=5.0)


@pytest.mark.parametrize("version", ["3.8", "3.13"])
def test_observations_do_not_depend_on_what_the_worker_imported(cli, version):
    from tests.conftest import TARGETS

    result = cli("check", "--target", TARGETS / "heavy_control.py", "--reference", "expected",
                 "--python", version)
    assert result.code == 0, result.out[-3000:]
