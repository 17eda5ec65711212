"""The fuzzer's search machinery without workers: signatures, and Hypothesis shrinking (and
replaying) the byte strings the random search hands it."""
import pytest
from hypothesis.database import InMemoryExampleDatabase

from conformance._changes import generalise as _generalise
from conformance._fuzz import Campaign
from conformance._shrinking import ShrinkDatabase as _Database
from conformance._shrinking import Shrinker
from conformance.strategies import DEFAULT
from conformance.strategies import generated_case, generated_size


def test_signatures_wildcard_generated_names_even_dotted_ones():
    assert _generalise("final.modules.q.c.bound") == "final.modules.*.bound"
    assert _generalise("final.modules.q.attrs.c") == "final.modules.*.attrs.*"
    assert _generalise("final.modules.pkg.sub") == "final.modules.*"  # a whole entry
    assert _generalise("final.path_importer_cache.<case>/r0") == "final.path_importer_cache.*"
    assert _generalise("steps[2].modules.added[0]") == "steps[].modules.added[]"


def _shrink(database, predicate):
    seen = []

    def diverges(data):
        seen.append(data)
        return predicate(data)

    Shrinker(DEFAULT, [], judge=None, known_change=None)._hypothesis(database, 0, diverges)
    return seen


def test_a_seeded_example_is_replayed_and_shrunk():
    size = generated_size(Campaign([], "stdlib").policy)
    seed = bytes(range(1, size + 1))
    stored = InMemoryExampleDatabase()
    seen = _shrink(_Database(stored, seed=seed), lambda data: data[7] >= 3)
    assert seen[0] == seed
    smallest = min((d for d in seen if d[7] >= 3), key=lambda d: (sum(d), d))
    assert smallest == bytes(7) + b"\3" + bytes(size - 8)


def test_what_a_campaign_saved_is_replayed_by_the_next_and_never_deleted():
    size = generated_size(Campaign([], "stdlib").policy)
    stored = InMemoryExampleDatabase()
    _shrink(_Database(stored, seed=b"\5" * size), lambda data: data[0] >= 2)
    saved = sum(len(list(stored.fetch(key))) for key in list(stored.data))
    assert saved >= 1
    replayed = _shrink(_Database(stored), lambda data: False)  # passes now: must not be deleted
    assert any(data[0] >= 2 for data in replayed)
    assert sum(len(list(stored.fetch(key))) for key in list(stored.data)) == saved


class _Interpreter:
    label = "fake"
    launcher = None


class _Pool:
    """Runs nothing; the results differ when they share a process (in-process, or a case's runs
    in one fork), and also in fresh processes when `always` - a restore of the import state that
    missed something, or a real bug."""

    def __init__(self, always, in_process=False):
        self.always, self.in_process, self.shared, self.fresh = always, in_process, [], []
        self.interpreter = _Interpreter()

    def ignore_rules(self, sides, given=()):
        return list(given)

    def run(self, case, targets, timeout, shared_process=False, fresh=False, branches=False):
        self.shared.append(shared_process)
        self.fresh.append(fresh)
        differ = shared_process or (self.in_process and not fresh) or self.always
        return [{"target": target, "outcome": "ok", "detail": None, "steps": [],
                 "final": {"n": number if differ else 0}} for number, target in enumerate(targets)]


def _explore(pool, budget=20, known=(), isolation=None):
    import random
    import time
    from concurrent.futures import ThreadPoolExecutor

    campaign = Campaign([_Interpreter()], "builtin", isolation=isolation)
    campaign._pools = {campaign.interpreters[0]: pool}
    campaign.judge.start(campaign._pools)
    campaign._executor = ThreadPoolExecutor(1)
    assert campaign.judge.shared_process  # the worker's own target and reference
    try:
        found = campaign._explore(random.Random(0), time.monotonic() + 60, budget, set(known))
    finally:
        campaign._executor.shutdown()
    return campaign, found


def test_a_divergence_only_a_shared_process_shows_is_counted_not_reported():
    pool = _Pool(always=False)
    campaign, found = _explore(pool, isolation="fork")
    assert found is None and campaign.judge.unconfirmed == 20 and campaign.cases_run == 20
    assert pool.shared.count(True) == 20 and pool.shared.count(False) == 20  # each one re-run alone


def test_a_divergence_only_the_in_process_search_shows_is_counted_not_reported():
    pool = _Pool(always=False, in_process=True)
    campaign, found = _explore(pool)
    assert campaign.isolation == "inprocess" and campaign.judge.confirms
    assert found is None and campaign.judge.unconfirmed == 20 and campaign.cases_run == 20
    assert pool.fresh.count(True) == 20 and pool.fresh.count(False) == 20  # each one re-run in fresh processes


def test_a_divergence_found_already_is_not_confirmed_again():
    from conformance._fuzz import signature_of

    pool = _Pool(always=True, in_process=True)
    campaign, found = _explore(pool, budget=1)
    pool.fresh.clear()
    campaign, again = _explore(pool, budget=1, known=[found[1].signature])
    assert again is None and pool.fresh == [False] and campaign.judge.unconfirmed == 0


def test_a_divergence_a_process_per_run_repeats_is_a_finding():
    campaign, found = _explore(_Pool(always=True))
    assert found is not None and campaign.judge.unconfirmed == 0
    assert [d.path for d in found[1].divergence.differences] == ["final.n"]


class _LeakyPool(_Pool):
    """In its own process every case differs (a restore that misses something); in fresh
    processes only cases of two steps or more (a real divergence)."""

    def run(self, case, targets, timeout, shared_process=False, fresh=False, branches=False):
        self.fresh.append(fresh)
        differ = not fresh and (shared_process or self.in_process) or len(case["steps"]) >= 2
        return [{"target": target, "outcome": "ok", "detail": None, "steps": [],
                 "final": {"n": number if differ else 0}} for number, target in enumerate(targets)]


@pytest.mark.parametrize("leaks", [False, True])
def test_a_case_shrunk_as_the_search_runs_counts_only_once_fresh_processes_repeat_it(leaks):
    import random

    from conformance._findings import Finding, signature_of

    pool = (_LeakyPool if leaks else _Pool)(always=True, in_process=True)
    campaign = Campaign([_Interpreter()], "builtin")
    campaign._pools = {campaign.interpreters[0]: pool}
    campaign.judge.start(campaign._pools)
    for shrinker in (campaign._shrinker, campaign._fresh_shrinker):
        shrinker.shrink_seconds = 0.5
    rng, size = random.Random(0), generated_size(campaign.policy)
    data = next(d for d in iter(lambda: rng.randbytes(size), None) if len(generated_case(campaign.policy, d)["steps"]) >= 3)
    case = generated_case(campaign.policy, data)
    divergence, groups = campaign.judge.confirm(case, *campaign.judge.search(case))
    found = Finding(signature_of(case, divergence), case, divergence, campaign.interpreters, groups)
    pool.fresh.clear()
    minimal = campaign._minimal(_Database(InMemoryExampleDatabase(), seed=data), 0, set(), found)
    # shrunk in the workers' own processes; where that ends at a case fresh processes do not
    # repeat (a restore that missed something), counted and shrunk again with fresh processes
    shrinking = pool.fresh.index(True)
    assert shrinking >= 2 and pool.fresh[shrinking + 1:].count(False) == 0
    assert campaign.judge.unconfirmed == (1 if leaks else 0)
    assert len(minimal.case["steps"]) == (2 if leaks else 1)  # (a case has a step at least)
    fresh = len(pool.fresh) - shrinking
    assert fresh > 2 if leaks else fresh == 1  # the shrinking again, or only the confirmation


def test_a_target_that_is_a_module_never_shares_a_process_with_the_reference():
    assert not Campaign([_Interpreter()], "t.py").judge.shared_process
    assert not Campaign([_Interpreter()], "stdlib", "my.hook").judge.shared_process
    assert Campaign([_Interpreter()], "impl:3.8", "builtin").judge.shared_process
    assert not Campaign([_Interpreter()], "impl:3.8", "builtin", process_per_run=True).judge.shared_process
    assert Campaign([_Interpreter()], "impl:3.8", "builtin", process_per_run=True).isolation == "fork"
    with pytest.raises(ValueError):
        Campaign([_Interpreter()], "stdlib", isolation="inprocess", process_per_run=True)


def test_findings_of_one_root_cause_are_one_finding():
    from conformance._compare import Difference, Divergence
    from conformance._findings import Finding, group_findings

    def finding(op, fields, steps, kinds=(None, None)):
        case = {"id": op, "steps": [{"op": op}] * steps}
        divergence = Divergence(op, "x", [Difference(f.replace("steps[]", "steps[0]"), "A", "B") for f in fields])
        return Finding((op, tuple(fields), kinds), case, divergence, [])

    loader = ["steps[].result.__loader__"]
    found = [finding("import_module", loader, 2), finding("reload", ["steps[].exception.type"], 1),
             finding("__import__", loader, 1), finding("reload", loader, 3)]
    grouped = group_findings(found)
    assert [f.signature[0] for f in grouped] == ["__import__", "reload"]  # the smallest case stays
    assert sorted(f.signature[0] for f in grouped[0].absorbed) == ["import_module", "reload"]
    assert [f.case["steps"] for f in grouped[0].absorbed] == [[{"op": "import_module"}] * 2, [{"op": "reload"}] * 3]
    assert grouped[1].absorbed == []
    # the same exception on both sides is no difference: wrapt's extra finder call shows whether
    # the import then succeeds or raises; different exceptions are different differences
    calls = ["steps[].finder_calls"]
    found = [finding("import_module", calls, 1), finding("__import__", calls, 1, ("ImportError", "ImportError")),
             finding("import_module", calls, 2, ("ValueError", "ValueError")),
             finding("import_module", calls, 1, ("ValueError", "ImportError"))]
    grouped = group_findings(found)
    assert len(grouped) == 2 and len(grouped[0].absorbed) == 2 and grouped[1].absorbed == []
    # across versions: a finding's root is the version change its groups show (_changes.change_key):
    # the same older exception at the same boundary, ImportError or its subclass on the newer side, is one change
    def raising(kind, message="m"):
        return {"outcome": "ok", "detail": None, "final": {},
                "steps": [{"op": "__import__", "exception": {"type": kind, "message": message}}]}

    def across(older, newer, versions=("cpython 3.8.18", "cpython 3.9.18")):
        f = finding("__import__", ["steps[].exception.type"], 1, (None, None))
        f.groups = [([versions[1]], newer), ([versions[0]], older)]  # any order: sorted by version
        return f

    beyond_top = [across(raising("ValueError"), raising("ImportError")),
                  across(raising("ValueError", "other words"), raising("ModuleNotFoundError")),
                  across(raising("TypeError", "old words"), raising("TypeError", "new words")),
                  across(raising("ValueError"), raising("ImportError"), ("cpython 3.9.18", "cpython 3.10.13"))]
    grouped = group_findings(beyond_top)
    assert len(grouped) == 3 and len(grouped[0].absorbed) == 1
    assert grouped[0].root == ("3.9", "raises", "ValueError", "ImportError")


def test_across_a_change_found_once_is_not_searched_again():
    from conformance._compare import Difference, Divergence
    from conformance._findings import Finding

    def raising(kind):
        return {"outcome": "ok", "detail": None, "final": {},
                "steps": [{"op": "import_module", "exception": {"type": kind, "message": "m"}}]}

    finding = Finding(("import_module", ("steps[].exception.type",), ("ValueError", "ImportError")),
                      {"id": "x", "steps": [{"op": "import_module"}]},
                      Divergence("x", "a vs b", [Difference("steps[0].exception.type", "ValueError", "ImportError")]),
                      [], [(["cpython 3.8.18"], raising("ValueError")), (["cpython 3.9.18"], raising("ImportError"))])
    judge = Campaign([_Interpreter()], "stdlib", across=True).judge
    assert not judge.shows_known(finding)
    judge.changes.roots.append(finding.root)
    assert judge.shows_known(finding) and judge.known_changes_seen == 1
    assert not Campaign([_Interpreter()], "impl").judge.shows_known(finding)  # target against reference: no
