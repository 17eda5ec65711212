"""Comparison: field-by-field differences, statuses, signatures."""
import copy

from conformance._compare import compare

BASE = {"target": "x", "outcome": "ok", "detail": None, "final": {"modules": {}},
        "steps": [{"op": "import_module", "outcome": "raised",
                   "exception": {"type": "TypeError", "message": "m", "chain": []}}]}


def _pair(**changes):
    other = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = other
        keys = path.split("/")
        for key in keys[:-1]:
            node = node[int(key)] if key.isdigit() else node[key]
        node[keys[-1]] = value
    return other


def test_identical_runs_pass():
    assert compare("c", "py", BASE, copy.deepcopy(BASE)).status == "passed"


def test_exception_type_difference_is_reported_with_both_values():
    verdict = compare("c", "py", _pair(**{"steps/0/exception/type": "ValueError"}), BASE)
    assert verdict.status == "failed"
    (difference,) = verdict.divergence.differences
    assert (difference.path, difference.target, difference.reference) == (
        "steps[0].exception.type", "ValueError", "TypeError")
    assert verdict.divergence.steps() == [0]


def test_bool_and_int_are_different():
    left = _pair(**{"final/modules": {"m": 1}})
    right = _pair(**{"final/modules": {"m": True}})
    assert compare("c", "py", left, right).status == "failed"


def test_missing_step_is_a_difference():
    shorter = _pair(steps=[])
    verdict = compare("c", "py", shorter, BASE)
    assert [d.path for d in verdict.divergence.differences] == ["steps[0]"]


def test_unsupported_and_errors():
    assert compare("c", "py", _pair(outcome="unsupported"), BASE).status == "unsupported"
    assert compare("c", "py", BASE, _pair(outcome="unsupported")).status == "unsupported"
    both = _pair(outcome="error", detail="bad case")
    assert compare("c", "py", both, both).status == "error"
    assert compare("c", "py", both, BASE).status == "failed"


def test_crash_detail_is_compared_but_error_detail_is_not():
    crash_a = _pair(outcome="crash", detail="killed by SIGABRT")
    crash_b = _pair(outcome="crash", detail="exited with code 3")
    assert compare("c", "py", crash_a, crash_b).status == "failed"


def test_signature_ignores_step_numbers():
    one = compare("c", "py", _pair(**{"steps/0/exception/type": "ValueError"}), BASE).divergence
    assert one.signature() == ("steps[].exception.type",)
