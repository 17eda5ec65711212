"""Expectation files: parsing with errors that name file, line and field; judging a verdict."""
from pathlib import Path

import pytest

from conformance._compare import Difference, Divergence, Verdict
from conformance._expectations import ExpectationError, load_expectations, write_expectations

GOOD = '''# a comment
[[expect]]
case = "dunder_import.level.*"
status = "fail"
fields = ["steps[*].exception.message"]
reason = "worded otherwise"

[[expect]]
case = "reload.hangs"
status = "timeout"
python = ["pypy*"]
reason = "hangs"
link = "https://example.invalid/1"
'''


def _failed(case, fields, outcome="ok"):
    divergence = Divergence(case, "pypy 3.9.16", [Difference(f, "a", "b") for f in fields],
                            {"outcome": outcome}, {"outcome": "ok"})
    return Verdict(case, "pypy 3.9.16", "failed", divergence=divergence)


def test_entries_match_cases_and_fields(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text(GOOD)
    exp = load_expectations(path)
    assert [e.line for e in exp.entries] == [2, 8]
    assert exp.assess(_failed("dunder_import.level.float", ["steps[0].exception.message"])).kind == "expected"
    other = exp.assess(_failed("dunder_import.level.float", ["steps[0].exception.type"]))
    assert other.kind == "unexpected" and "fails differently" in other.message and "steps[0].exception.type" in other.message
    passed = exp.assess(Verdict("dunder_import.level.float", "pypy 3.9.16", "passed"))
    assert passed.kind == "unexpected" and passed.message == "now passes: remove it from %s:2" % path
    assert exp.assess(_failed("reload.hangs", ["outcome"], outcome="timeout")).kind == "expected"
    crash = exp.assess(_failed("reload.hangs", ["outcome"], outcome="crash"))
    assert crash.kind == "unexpected" and "expected timeout" in crash.message
    # python scopes an entry: on CPython the case is not listed, and its failure is a failure
    cpython = Verdict("reload.hangs", "cpython 3.9.18", "failed",
                      divergence=Divergence("reload.hangs", "cpython 3.9.18", [], {"outcome": "timeout"}, {}))
    assert exp.assess(cpython).kind == "unexpected" and exp.assess(cpython).entry is None
    assert exp.assess(Verdict("x.y", "pypy 3.9.16", "unsupported")).kind == "ok"
    exp.check_cases(["dunder_import.level.float", "reload.hangs"])
    with pytest.raises(ExpectationError, match=r"e\.toml:8: case: 'reload\.hangs' names no case"):
        exp.check_cases(["dunder_import.level.float"])


@pytest.mark.parametrize("text, message", [
    ('[[expect]]\ncase = "a"\nstatus = "xfail"\nreason = "r"\n', r"e\.toml:3: status: 'xfail' is not one of fail, "),
    ('[[expect]]\ncase = "a"\nstatus = "fail"\n', r"e\.toml:1: reason: required"),
    ('[[expect]]\ncase = "a"\nstatus = "fail"\nreason = "r"\nwhy = "x"\n', r"e\.toml:5: why: unknown field"),
    ('[[expect]]\ncase = "a"\nstatus = "skip"\nfields = ["x"]\nreason = "r"\n', r"e\.toml:4: fields: only a `fail`"),
    ('[[expect]]\ncase = "a"\nstatus = "fail"\nfields = [1]\nreason = "r"\n', r"e\.toml:4: fields: must be a list"),
    ('[[expect]]\ncase = "a\nstatus = "fail"\n', r"e\.toml:2: invalid TOML"),
    ('[expect]\ncase = "a"\n', r"e\.toml:1: expect: must be a list"),
    ('[[expected]]\ncase = "a"\n', r"e\.toml:1: unknown key 'expected'"),
])
def test_bad_files_say_file_line_and_field(tmp_path, text, message):
    path = tmp_path / "e.toml"
    path.write_text(text)
    with pytest.raises(ExpectationError, match=message):
        load_expectations(path)


def test_json_files_and_unreadable_ones(tmp_path):
    path = tmp_path / "e.json"
    path.write_text('{"expect": [\n {"case": "a", "status": "fail", "reason": "r"},\n {"case": "b", "status": "bad", "reason": "r"}\n]}')
    with pytest.raises(ExpectationError, match=r"e\.json:3: status: 'bad'"):
        load_expectations(path)
    path.write_text('{"expect": [\n oops]}')
    with pytest.raises(ExpectationError, match=r"e\.json:2: invalid JSON"):
        load_expectations(path)
    with pytest.raises(ExpectationError, match=r"missing\.toml: cannot read"):
        load_expectations(tmp_path / "missing.toml")


def test_update_keeps_reasons_skips_and_entries_of_cases_not_run(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text(GOOD + '\n[[expect]]\ncase = "slow.case"\nstatus = "skip"\nreason = "too slow"\n'
                    '\n[[expect]]\ncase = "other.case"\nstatus = "fail"\nreason = "kept: not run"\n')
    previous = load_expectations(path)
    verdicts = [_failed("dunder_import.level.float", ["steps[0].exception.message"]),
                _failed("new.case", ["steps[1].result"]), Verdict("reload.hangs", "pypy 3.9.16", "passed")]
    count = write_expectations(path, verdicts, ["pypy 3.9.16"], previous,
                               ["dunder_import.level.float", "new.case", "reload.hangs", "slow.case"])
    written = load_expectations(path)
    assert count == 4 and [e.case for e in written.entries] == [
        "slow.case", "other.case", "dunder_import.level.float", "new.case"]
    assert written.entries[2].reason == "worded otherwise" and written.entries[2].fields == ("steps[0].exception.message",)
    assert written.entries[3].reason.startswith("TODO")


def test_a_shipped_expectation_file_is_named_without_its_path(tmp_path, monkeypatch):
    from conformance._expectations import SHIPPED, expectation_path, shipped

    assert {"pypy3.9", "pypy3.11", "pyodide", "micropython"} <= set(shipped())
    monkeypatch.chdir(tmp_path)
    assert expectation_path("pypy3.9") == SHIPPED / "pypy3.9.toml"
    (tmp_path / "pypy3.9").write_text("")  # a file of that name in the working directory wins
    assert expectation_path("pypy3.9") == Path("pypy3.9")
    assert expectation_path("mine.toml") == Path("mine.toml")  # a path stays a path (its error comes on reading)
    with pytest.raises(ExpectationError, match=r"^pypy2: no such file, nor an expectation file shipped with the "
                                               r"tool \(micropython, pyodide, pypy3.11, pypy3.9\)$"):
        expectation_path("pypy2")
