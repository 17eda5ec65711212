"""A CPython compared with the recording of its major.minor made on another patch release: a
divergence there is named as a patch release that behaves otherwise (Debian's unstable moves
to new patch releases; the recordings stay per major.minor)."""
import sys

from tests.conftest import case_file

HOST = "%d.%d" % sys.version_info[:2]
NOW = "%d.%d.%d" % sys.version_info[:3]


def _recorded(made_on, executed):
    observation = {"outcome": "ok", "detail": None, "final": {"modules": {}, "order": [], "removed": [],
                                                              "path_importer_cache": {}},
                   "steps": [{"op": "invalidate_caches", "outcome": "returned", "executed": executed,
                              "finder_calls": [], "warnings": [], "result": {"type": "NoneType", "value": None},
                              "modules": {"added": [], "removed": [], "replaced": []}}]}
    return {"id": "patch.case", "steps": [{"op": "invalidate_caches"}],
            "expected": [{"pythons": [HOST], "recorded_on": [made_on], **observation}]}


def test_a_divergence_from_a_recording_of_another_patch_release_says_so(cli, tmp_path):
    other = "%d.%d.%d" % (sys.version_info[0], sys.version_info[1], sys.version_info[2] + 1)
    cases = case_file(tmp_path, _recorded(other, ["nothing ran"]))
    result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", sys.executable,
                 "--cases", cases)
    assert result.code == 1
    assert "recorded on %s, this is %s: a patch release that behaves otherwise" % (other, NOW) in result.out


def test_the_same_release_or_a_pass_says_nothing_of_patch_releases(cli, tmp_path):
    cases = case_file(tmp_path, _recorded(NOW, ["nothing ran"]))
    result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", sys.executable,
                 "--cases", cases)
    assert result.code == 1 and "patch release" not in result.out
    other = "%d.%d.%d" % (sys.version_info[0], sys.version_info[1], sys.version_info[2] + 1)
    cases = case_file(tmp_path, _recorded(other, []), name="passing.json")
    result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", sys.executable,
                 "--cases", cases)
    assert result.code == 0 and "patch release" not in result.out


def test_the_suite_lets_a_patch_release_differ_and_nothing_else(cli, tmp_path):
    """tests.conftest.matches_recordings: the recordings gate of the project's CI passes a run whose
    only divergences are a newer patch release's (with a warning), and fails any other."""
    import pytest

    from tests.conftest import matches_recordings

    other = "%d.%d.%d" % (sys.version_info[0], sys.version_info[1], sys.version_info[2] + 1)
    for made_on, tolerated in ((other, True), (NOW, False)):
        report = tmp_path / ("%s.json" % made_on)
        cases = case_file(tmp_path, _recorded(made_on, ["nothing ran"]), name="c%s.json" % made_on)
        result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", sys.executable,
                     "--cases", cases, "--json", report)
        assert result.code == 1
        if tolerated:
            with pytest.warns(UserWarning, match="a patch release behaves otherwise"):
                assert matches_recordings(result, report)
        else:
            assert not matches_recordings(result, report)


def test_a_change_is_set_aside_both_ways_between_patch_releases():
    from conformance._case import Case

    change = {"issue": "gh-1", "since": ["3.11.4"], "fields": ["steps[*].exception.type"], "description": "d"}
    case = Case({"id": "c", "steps": [], "changes": [change]}, "<test>")
    assert case.changes_since("3.11.2", (3, 11, 7)) == [change]  # the recording lacks it, this has it
    assert case.changes_since("3.11.7", (3, 11, 2)) == [change]  # the recording has it, this lacks it
    assert case.changes_since("3.11.5", (3, 11, 7)) == [] and case.changes_since("3.11.1", (3, 11, 3)) == []
    assert case.changes_since("3.10.9", (3, 12, 0)) == [change]  # a newer major.minor has it
