"""Case files: the catalogue loads and is recorded; bad files give one clear message."""
import json

import pytest

from conformance._case import CaseFileError, load_cases
from tests.conftest import CPYTHONS, case_file


def test_catalogue_has_enough_unique_cases():
    cases = load_cases()
    assert len(cases) >= 150
    assert len({case.id for case in cases}) == len(cases)


def test_every_catalogue_case_is_recorded_on_every_cpython_its_gate_admits():
    for case in load_cases():
        for version in CPYTHONS:
            minor = tuple(int(p) for p in version.split("."))
            if case.runs_on(minor):
                expectation = case.expectation_for(minor)
                assert expectation is not None, (case.id, version)
                assert any(r.startswith(version + ".") for r in expectation["recorded_on"])


def test_version_gate():
    (case,) = [c for c in load_cases() if c.id == "find_loader.absent"]
    assert not case.runs_on((3, 11, 7)) and case.runs_on((3, 12, 0))


def _error(tmp_path, text):
    path = tmp_path / "c.json"
    path.write_text(text)
    with pytest.raises(CaseFileError) as info:
        load_cases([path])
    return str(info.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(CaseFileError, match="nope.json: no such case file"):
        load_cases([tmp_path / "nope.json"])


def test_bad_json_is_named(tmp_path):
    message = _error(tmp_path, "{not json")
    assert "c.json: not valid JSON" in message


def test_schema_error_names_the_field(tmp_path):
    message = _error(tmp_path, json.dumps({"format": 1, "cases": [
        {"id": "a", "steps": [{"op": "import_module", "name": "x", "package": "p", "bogus": 1}]}]}))
    assert "c.json" in message and "cases[0].steps[0]" in message


def test_unknown_op_is_named(tmp_path):
    message = _error(tmp_path, json.dumps({"format": 1, "cases": [{"id": "a", "steps": [{"op": "teleport"}]}]}))
    assert "cases[0].steps[0]" in message and "teleport" in message


def test_missing_steps(tmp_path):
    message = _error(tmp_path, json.dumps({"format": 1, "cases": [{"id": "a"}]}))
    assert "cases[0]" in message and "steps" in message


def test_duplicate_ids_across_files(tmp_path):
    first = case_file(tmp_path, {"id": "same", "steps": [{"op": "invalidate_caches"}]}, name="a.json")
    second = case_file(tmp_path, {"id": "same", "steps": [{"op": "invalidate_caches"}]}, name="b.json")
    with pytest.raises(CaseFileError, match="'same' already defined"):
        load_cases([first, second])


def test_inline_expectations_are_kept(tmp_path):
    expectation = {"pythons": ["3.11"], "recorded_on": ["3.11.7"], "outcome": "ok", "steps": [], "final": None}
    path = case_file(tmp_path, {"id": "x", "steps": [{"op": "invalidate_caches"}], "expected": [expectation]})
    (case,) = load_cases([path])
    assert case.expectation_for((3, 11, 2))["recorded_on"] == ["3.11.7"]
    assert case.expectation_for((3, 12, 0)) is None
