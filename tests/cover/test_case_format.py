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
                expectation = case.recording_for(minor)
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
    assert case.recording_for((3, 11, 2))["recorded_on"] == ["3.11.7"]
    assert case.recording_for((3, 12, 0)) is None


def test_changes_apply_where_the_recording_lacks_them_and_the_interpreter_has_them():
    from conformance._case import Case

    case = Case({"id": "c", "steps": [], "changes": [
        {"issue": "gh-125519", "since": ["3.12.8", "3.13.1"], "fields": ["x"], "description": "d"}]})
    def applies(recorded, version):
        return bool(case.changes_since(recorded, version))

    assert applies("3.13.0", (3, 13, 2)) and applies("3.12.1", (3, 12, 8)) and applies("3.13.0", (3, 14, 2))
    assert not applies("3.13.0", (3, 13, 0)) and not applies("3.12.1", (3, 12, 7))
    assert not applies("3.12.1", (3, 13, 0))  # 3.13.0 predates the fix in 3.13.1
    assert not applies("3.13.2", (3, 13, 5))  # the recording has it too
    newer = Case({"id": "n", "steps": [], "changes": [{"since": ["3.14.0"], "fields": ["x"], "description": "d"}]})
    assert newer.changes_since("3.13.0", (3, 14, 2)) and not newer.changes_since("3.13.0", (3, 13, 9))
