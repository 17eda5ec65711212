"""A runaway import is normalised whole: the same case reaching RecursionError at different
depths (another implementation, a hook spending more frames per import) observes the same."""
import sys

from conformance._worker.observe import Observer
from conformance._worker.observe import normalise_recursion, ran_away


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
    reports = ["# code object from <case>/m.py"] * (limit // 50)
    return described, normalise_recursion(described, executed, calls, [], False, reports), raw


def test_depth_does_not_show():
    shallow, deep = _observed(250, 100), _observed(450, 100)
    assert shallow[2] != deep[2]  # as raised, the chains differ in length
    assert shallow[0]["chain"] == [] and shallow[:2] == deep[:2]
    assert shallow[0]["message"] == "<recursion limit>" and shallow[1] == (["m"], [["finder", "find_spec", "m"]], [],
                                                                            ["# code object from <case>/m.py"])


def test_other_exceptions_are_left_alone():
    described = {"type": "ImportError", "message": "x", "chain": [["context", "KeyError"], ["context", "KeyError"]]}
    assert normalise_recursion(described, ["a", "a"], [], [], False, ["r", "r"]) == (["a", "a"], [], [], ["r", "r"])
    assert described["chain"] == [["context", "KeyError"], ["context", "KeyError"]]


def test_a_recursion_error_in_the_chain_counts_too():
    described = {"type": "ImportError", "message": "x",
                 "chain": [["context", "RecursionError"], ["context", "RecursionError"]]}
    assert normalise_recursion(described, ["a", "a"], [], []) == (["a"], [], [], [])
    assert described == {"type": "ImportError", "message": "x", "chain": [["context", "RecursionError"]]}


def test_what_was_being_handled_where_the_limit_struck_does_not_show():
    """CPython's legacy-finder fallback runs inside `except AttributeError:`; a limit struck there
    has that context, struck a frame earlier it has none."""
    for chain in ([["context", "AttributeError"]], [], [["context", "RecursionError"]]):
        described = {"type": "RecursionError", "message": "maximum recursion depth exceeded", "chain": chain}
        normalise_recursion(described, [], [], [])
        assert described["chain"] == []
    described = {"type": "KeyError", "message": "'b'",
                 "chain": [["context", "KeyError"], ["context", "RecursionError"], ["context", "AttributeError"]]}
    normalise_recursion(described, [], [], [])
    assert described["chain"] == [["context", "KeyError"], ["context", "RecursionError"]]


def _unwinding(levels):
    """A module that removes itself and imports itself again, as a zip importer of 3.8 loads it:
    each level that unwinds raises KeyError while handling the last, RecursionError at the bottom."""
    try:
        if levels == 0:
            raise RecursionError("maximum recursion depth exceeded")
        _unwinding(levels - 1)
    except BaseException:
        raise KeyError("b")


def test_a_recursion_error_beyond_the_links_shown_counts_too():
    errors = []
    for levels in (12, 15):
        try:
            _unwinding(levels)
        except KeyError as exc:
            errors.append(exc)
    described = [Observer("/nowhere").exception(error) for error in errors]
    assert described[0] == described[1] and all(ran_away(error) for error in errors)
    assert "RecursionError" not in str(described[0]["chain"])  # beyond the links an observation shows
    warning = ["ImportWarning", "_LegacyFinder.find_spec() not found; falling back to find_module()"]
    unclosed = ["ResourceWarning", "unclosed file <_io.BufferedReader name='<case>/b/__init__.py'>"]
    normalised = [normalise_recursion(d, ["b"] * n, [], [warning] * n + [unclosed] * (n % 2), ran_away(e))
                  for d, n, e in zip(described, (12, 15), errors)]
    assert normalised[0] == normalised[1] == (["b"], [], [warning], [])
    assert not ran_away(KeyError("b"))
