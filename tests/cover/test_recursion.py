"""A runaway import is normalised whole: the same case reaching RecursionError at different
depths (another implementation, a hook spending more frames per import) observes the same."""
import sys

from conformance._worker.observe import Observer
from conformance._worker.steps import normalise_recursion


def _runaway(depth_left, handled_every):
    """Recurse until RecursionError; on the way back, every `handled_every` frames, handle it
    and raise it again in its own handler (a new RecursionError chained to the last)."""
    try:
        return _runaway(depth_left - 1, handled_every) if depth_left else _runaway(0, handled_every)
    except RecursionError:
        if depth_left % handled_every == 0 and depth_left:
            raise RecursionError("maximum recursion depth exceeded while handling depth %d" % depth_left)
        raise


def _observed(limit, handled_every):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        _runaway(limit, handled_every)
    except RecursionError as exc:
        error = exc
    finally:
        sys.setrecursionlimit(old)
    described = Observer("/nowhere").exception(error)
    raw = [list(link) for link in described["chain"]]
    executed = ["m"] * (limit // 50)
    calls = [["finder", "find_spec", "m"]] * (limit // 100)
    return described, normalise_recursion(described, executed, calls), raw


def test_depth_does_not_show():
    shallow, deep = _observed(250, 100), _observed(450, 100)
    assert shallow[2] != deep[2]  # as raised, the chains differ in length
    assert shallow[0]["chain"] == [["context", "RecursionError"]] and shallow[:2] == deep[:2]
    assert shallow[0]["message"] == "<recursion limit>" and shallow[1] == (["m"], [["finder", "find_spec", "m"]])


def test_other_exceptions_are_left_alone():
    described = {"type": "ImportError", "message": "x", "chain": [["context", "KeyError"], ["context", "KeyError"]]}
    assert normalise_recursion(described, ["a", "a"], []) == (["a", "a"], [])
    assert described["chain"] == [["context", "KeyError"], ["context", "KeyError"]]


def test_a_recursion_error_in_the_chain_counts_too():
    described = {"type": "ImportError", "message": "x",
                 "chain": [["context", "RecursionError"], ["context", "RecursionError"]]}
    assert normalise_recursion(described, ["a", "a"], []) == (["a"], [])
    assert described == {"type": "ImportError", "message": "x", "chain": [["context", "RecursionError"]]}
