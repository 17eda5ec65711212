"""Coverage guidance without workers (conformance/_guidance.py): the corpus keeps every input that
reached a new branch and drops none, a later campaign replays it first, mutations, the schedule;
and in the search, guidance off draws exactly what the unguided search drew, guidance on follows
the branches a (fake) pool reports."""
import random
import time
from concurrent.futures import ThreadPoolExecutor

from hypothesis.database import InMemoryExampleDatabase

from conformance import _fuzz
from conformance._fuzz import Campaign
from conformance._guidance import CORPUS_KEY, Guide, mutate
from strategies import generated_size


def test_an_input_that_reaches_a_new_branch_joins_the_corpus_and_none_is_ever_dropped():
    database = InMemoryExampleDatabase()
    guide = Guide(8, database)
    a, b, c = b"a" * 8, b"b" * 8, b"c" * 8
    assert guide.reached(a, {"3.13": ["x", "y"]}, 1) == 2
    assert guide.reached(b, {"3.13": ["x"]}, 2) == 0  # nothing new
    assert guide.reached(c, {"3.12": ["x"]}, 3) == 1  # new on that interpreter
    assert [entry.data for entry in guide.entries] == [a, c]
    assert set(database.fetch(CORPUS_KEY)) == {a, c}
    rng = random.Random(0)
    new = [a, c]
    for number in range(600):
        data = guide.draw(rng)
        assert len(data) == 8
        if guide.reached(data, {"3.13": [data.hex()]} if number % 5 == 0 else {}, 4 + number):
            new.append(data)
    assert [entry.data for entry in guide.entries] == new and len(new) > 50
    assert set(database.fetch(CORPUS_KEY)) == set(new)
    assert guide.total == len(guide.branches["3.13"]) + len(guide.branches["3.12"])


def test_a_later_campaign_replays_the_saved_corpus_before_anything_else():
    database = InMemoryExampleDatabase()
    first = Guide(8, database)
    first.reached(b"a" * 8, {"3.13": ["x"]}, 1)
    first.reached(b"b" * 8, {"3.13": ["y"]}, 2)
    first.reached(b"short", {"3.13": ["z"]}, 3)  # of another policy's size: not replayed
    second = Guide(8, database)
    rng = random.Random(0)
    assert {second.draw(rng), second.draw(rng)} == {b"a" * 8, b"b" * 8} and second.replayed == 2
    assert second.draw(rng) == random.Random(0).randbytes(8)  # replaying drew nothing at random


def test_mutations_keep_the_length_change_little_and_splice_the_other_entry():
    rng = random.Random(1)
    mutated = [mutate(rng, bytes(64), b"\xff" * 64) for _ in range(400)]
    assert all(len(data) == 64 for data in mutated)
    assert sum(data != bytes(64) for data in mutated) > 300
    assert any(b"\xff\xff\xff\xff" in data for data in mutated)  # a span of the other entry
    assert any(data.count(0) == 63 for data in mutated)  # one choice changed


def test_the_entry_that_reached_its_branches_latest_and_was_picked_least_is_mutated_most():
    guide = Guide(4)
    guide.reached(b"\1" * 4, {"l": ["a", "b", "c"]}, 1)
    guide.reached(b"\2" * 4, {"l": ["d"]}, 2000)
    rng = random.Random(3)
    for _ in range(600):
        guide.draw(rng)
    early, late = guide.entries
    assert late.picks > 20 * max(early.picks, 1)


class _Interpreter:
    label = "fake"
    launcher = None
    implementation = "cpython"
    version = (3, 13, 0)


class _Pool:
    """Runs nothing; the target and reference always agree. With `branches` asked, the reference's
    result reports one branch per step count and first step op (what a case of that shape reaches)."""

    in_process = True

    def __init__(self):
        self.interpreter = _Interpreter()
        self.asked = []

    def ignore_rules(self, sides, given=()):
        return list(given)

    def run(self, case, targets, timeout, shared_process=False, fresh=False, branches=False):
        self.asked.append(branches)
        results = [{"target": target, "outcome": "ok", "detail": None, "steps": [], "final": {}} for target in targets]
        if branches:
            results[0]["branches"] = ["steps %d" % len(case["steps"]), "first %s" % case["steps"][0]["op"]]
        return results


def _search(monkeypatch, guidance, budget=60):
    drawn = []
    decode = _fuzz.generated_case

    def recording(policy, data):
        drawn.append(data)
        return decode(policy, data)

    monkeypatch.setattr(_fuzz, "generated_case", recording)
    pool = _Pool()
    campaign = Campaign([_Interpreter()], "builtin", guidance=guidance)
    campaign._pools = {campaign.interpreters[0]: pool}
    campaign.judge.start(campaign._pools)
    if guidance:
        campaign.judge.guide()
    campaign.guide = Guide(generated_size(campaign.policy)) if guidance else None
    campaign._executor = ThreadPoolExecutor(1)
    try:
        assert campaign._explore(random.Random(7), time.monotonic() + 60, budget, set()) is None
    finally:
        campaign._executor.shutdown()
    return campaign, pool, drawn


def test_guidance_off_draws_exactly_what_the_unguided_search_draws(monkeypatch):
    campaign, pool, drawn = _search(monkeypatch, guidance=False)
    rng = random.Random(7)
    assert drawn == [rng.randbytes(generated_size(campaign.policy)) for _ in range(60)]
    assert not any(pool.asked)


def test_guidance_on_keeps_what_reached_new_branches_and_mutates_it(monkeypatch):
    campaign, pool, drawn = _search(monkeypatch, guidance=True, budget=300)
    assert all(pool.asked) and len(drawn) == 300
    guide = campaign.guide
    assert 2 <= len(guide.entries) <= 4 + 7 and guide.total == len(guide.branches["fake"])
    fresh = random.Random(7)
    assert len(set(drawn)) > 250  # mutations, not repeats
    assert sum(entry.picks for entry in guide.entries) > 100  # most draws mutate the corpus
    assert drawn[0] == fresh.randbytes(generated_size(campaign.policy))  # the first: the corpus was empty


def test_saved_corpora_are_read_back_with_the_policy_they_were_drawn_with(tmp_path):
    from hypothesis.database import DirectoryBasedExampleDatabase

    from conformance._coverage import CoverageError, corpus_cases
    from conformance._guidance import saved_corpora
    from strategies import DEFAULT, describe_policy, generated_case

    size = generated_size(DEFAULT)
    database = DirectoryBasedExampleDatabase(str(tmp_path / "campaign"))
    guide = Guide(size, database, describe_policy(DEFAULT))
    inputs = [bytes([n]) * size for n in range(3)]
    for number, data in enumerate(inputs):
        guide.reached(data, {"3.13": [str(number)]}, number)
    for directory in (tmp_path / "campaign", tmp_path):  # one database, or the folder of them
        ((policy, kept),) = saved_corpora(directory)
        assert policy == describe_policy(DEFAULT) and sorted(kept) == inputs
    cases = corpus_cases(tmp_path)
    assert sorted(case.id for case in cases) == sorted(generated_case(DEFAULT, data)["id"] for data in inputs)
    (tmp_path / "empty").mkdir()
    try:
        corpus_cases(tmp_path / "empty")
    except CoverageError as exc:
        assert str(exc).startswith("--corpus %s: " % (tmp_path / "empty")) and "no corpus" in str(exc)
    else:
        raise AssertionError("an empty directory holds no corpus")


def test_where_sys_monitoring_watches_only_those_interpreters_report_branches():
    from conformance._interpreters import Interpreter
    from conformance._judges import AcrossJudge

    old, new, pypy = (Interpreter("/p/3.11", "cpython", (3, 11, 7)), Interpreter("/p/3.13", "cpython", (3, 13, 0)),
                      Interpreter("/p/pypy", "pypy", (3, 12, 0)))
    judge = AcrossJudge([old, new, pypy], "stdlib", 5.0)
    assert not judge.guided
    judge.guide()  # a trace function would halve the rate on 3.11: 3.13 guides alone
    assert judge.guided and judge.watched == {new}
    judge = AcrossJudge([old, pypy], "stdlib", 5.0)
    judge.guide()  # none has sys.monitoring: all trace
    assert judge.watched == {old, pypy}
