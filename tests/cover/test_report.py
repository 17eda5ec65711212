"""Output: a divergence block shows every differing field with both values; the closing line."""
from pathlib import Path

from conformance._case import Case
from conformance._check import CheckResult
from conformance._compare import Difference, Divergence, Verdict
from conformance._expectations import Expectation, Expectations
from conformance._report import describe_step, divergence_block, json_report


def test_block_lists_step_fields_and_both_values():
    case = Case({"id": "c", "description": "what it checks",
                 "steps": [{"op": "import_module", "name": ".x", "package": None}]})
    divergence = Divergence("c", "cpython 3.11.7", [
        Difference("steps[0].exception.type", "ValueError", "TypeError"),
        Difference("final.modules.x", "<absent>", {"id": "m0"})])
    block = divergence_block(divergence, case, "mutant.py", "stdlib")
    assert block.splitlines()[0] == "DIVERGENCE c on cpython 3.11.7 (target mutant.py, reference stdlib)"
    assert "step 0: import_module(name=.x, package=null)" in block
    assert "target:    ValueError" in block and "reference: TypeError" in block
    assert "final.modules.x" in block


def test_block_is_bounded():
    many = [Difference("steps[0].f%d" % i, i, -i) for i in range(40)]
    block = divergence_block(Divergence("c", "py", many), None, "t", "r")
    assert len(block.splitlines()) < 40 and "30 more differing fields" in block


def test_summary_line_and_json():
    result = CheckResult("t", "stdlib", [], [Verdict("a", "py", "passed"), Verdict("b", "py", "failed",
                         divergence=Divergence("b", "py", [Difference("outcome", "crash", "ok")])),
                         Verdict("c", "py", "skipped")], elapsed_seconds=2.0)
    assert result.closing_line() == "1 passed, 1 failed (1 skipped)"
    # through an expectation file that expects b's failure: counted apart, not as failed
    expected = CheckResult("t", "stdlib", [], result.verdicts,
                           expectations=Expectations(Path("exp.toml"), [Expectation("b", "fail", "why")]))
    assert expected.closing_line() == "1 passed, 0 failed (1 expected failure (exp.toml), 1 skipped)"
    report = json_report(result, {})
    assert (report["cases"], report["passed"], report["failed"]) == (2, 1, 1)
    assert report["cases_per_second"] == 1.0
    assert report["divergences"][0]["differences"] == [{"path": "outcome", "target": "crash", "reference": "ok"}]


def test_describe_step():
    assert describe_step({"op": "invalidate_caches"}) == "invalidate_caches()"
