"""The intended differences in force are one set wherever cases are compared (check, fuzz, the
pytest plugin): --ignore, the targets' IGNORE declarations and the runtime's own profile (what
a runtime such as MicroPython has not by design, declared in its worker's hello). Against a fake
runtime whose runs differ only in a field its profile sets aside."""
from types import SimpleNamespace

import pytest

from conformance import _pool
from conformance._case import Case
from conformance._check import run_check
from conformance._fuzz import Campaign
from conformance._interpreters import Interpreter

PROFILE = {"final.answer": "the fake runtime answers otherwise by design"}
RUNTIME = Interpreter("/fake/runtime", "cpython", (3, 12, 0), "fake 1.0", ("node", "fake_launcher.mjs"))


class RuntimeWorker:
    """A worker of the fake runtime: every run ends ok; `builtin` answers 1, the rest 2."""

    hello = {"op": "hello", "ignore": PROFILE}
    retiring = None

    def __init__(self, interpreter, isolation=None, scratch=None, flags=()):
        pass

    def run(self, case, targets, timeout, shared_process=False, fresh=False, branches=False):
        return [{"target": target, "outcome": "ok", "detail": None, "steps": [],
                 "final": {"answer": 1 if target == "builtin" else 2}} for target in targets]

    def describe(self, target):
        return {"ignore": {}}

    def close(self):
        pass


@pytest.fixture
def runtime(monkeypatch):
    monkeypatch.setattr(_pool, "Worker", RuntimeWorker)
    return RUNTIME


def test_check_sets_the_runtimes_profile_aside(runtime):
    progress = []
    result = run_check([Case({"id": "c", "steps": []})], [runtime], "builtin", "stdlib", jobs=1,
                       progress=progress.append)
    assert [verdict.status for verdict in result.verdicts] == ["passed"]
    assert [difference.path for _, difference, _ in result.ignored] == ["final.answer"]
    # the progress line counts in the closing line's words
    assert result.closing_line() == "1 passed, 0 failed (1 intended difference ignored in 1 case)"
    assert progress[0].startswith(RUNTIME.label + ": " + result.closing_line() + " ("), progress


def test_fuzz_sets_the_runtimes_profile_aside(runtime, tmp_path):
    campaign = Campaign([runtime], "builtin", "stdlib", jobs=1, seed=1, cache=tmp_path)
    assert campaign.run(examples=5) == []
    assert campaign.judge.ignored_cases == 5
    assert [rule.pattern for rule in campaign.judge.ignore_rules] == list(PROFILE)


def test_the_pytest_plugin_sets_the_runtimes_profile_aside(runtime, tmp_path):
    from conformance._pytest_plugin import _State

    option = SimpleNamespace(conformance_target="builtin", conformance_reference="stdlib", conformance_cases=[],
                             conformance_python=["3.11"], conformance_expectations=None, conformance_timeout=5.0,
                             conformance_fuzz_seconds=None, conformance_seed=0, conformance_out=str(tmp_path))
    state = _State(SimpleNamespace(option=option))
    try:
        _, rules = state.pool(runtime)
        assert [rule.pattern for rule in rules] == list(PROFILE)
    finally:
        state.close()
