"""Coverage guidance without workers (conformance/_guidance.py): the corpus keeps every input that
reached a new branch and drops none, a later campaign replays it first, mutations, the schedule;
and in the search, guidance off draws exactly what the unguided search drew, guidance on follows
the branches a (fake) pool reports."""
import random
import time
from concurrent.futures import ThreadPoolExecutor

from hypothesis.database import InMemoryExampleDatabase

from conformance import _fuzz, _guidance
from conformance._fuzz import Campaign
from conformance._guidance import CORPUS_KEY, Guide, mutate
from conformance.strategies import generated_size


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


def test_an_input_that_reaches_more_when_run_again_stays_one_entry():
    database = InMemoryExampleDatabase()  # a set: the input saved twice is there once, and replayed once
    guide = Guide(8, database)
    a = b"a" * 8
    assert guide.reached(a, {"3.13": ["x"]}, 1) == 1
    assert guide.reached(a, {"3.13": ["x", "y"]}, 2) == 1  # a branch the first run did not take
    assert [(entry.data, entry.firsts) for entry in guide.entries] == [(a, (("3.13", "x"), ("3.13", "y")))]
    assert guide.report()["corpus"] == len(list(database.fetch(CORPUS_KEY))) == 1


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


def test_the_entry_whose_branch_stays_rare_is_mutated_most_and_picks_share_its_weight():
    guide = Guide(4)
    guide.reached(b"\1" * 4, {"l": ["a", "b"]}, 1)
    guide.reached(b"\2" * 4, {"l": ["c", "d"]}, 2)
    for window in range(30):  # the first entry's branches are reached again in every window, "d" never
        guide.reached(b"\3" * 4, {"l": ["a", "b", "c"]}, 3 + window)
    rng = random.Random(3)
    for _ in range(900):
        guide.draw(rng)
    common, rare = guide.entries
    assert rare.picks > 3 * common.picks > 0  # picks grow as the root of the weight: 31 ** 0.5 times more
    assert rare.weight(guide.hits) == 1 / (1 + rare.picks)  # "d", its rarest branch, reached once
    assert common.weight(guide.hits) == 1 / 31 / (1 + common.picks)


def test_step_mutations_insert_drop_and_repeat_steps_leaving_the_rest_alone():
    from conformance._guidance import Layout
    from conformance.strategies import (DEFAULT, generated_allowing, generated_case, generated_parts, generated_steps,
                            generated_with_steps)

    layout = Layout(generated_parts(DEFAULT), lambda data: generated_steps(DEFAULT, data),
                    lambda data, steps: generated_with_steps(DEFAULT, data, steps),
                    lambda data, step: generated_allowing(DEFAULT, data, step), DEFAULT.max_steps)
    rng = random.Random(5)
    size = generated_size(DEFAULT)
    counts = set()
    policy = generated_parts(DEFAULT)[0][1]  # the swarm policy's part: the first
    for _ in range(300):
        data = rng.randbytes(size)
        other = data[:policy] + rng.randbytes(size - policy)  # the same swarm policy: see below for another
        kind = rng.choice((10, 11, 12))
        mutated = _guidance._mutate_steps(rng, kind, data, other, layout)
        before, after = generated_case(DEFAULT, data), generated_case(DEFAULT, mutated)
        assert {key: value for key, value in after.items() if key not in ("id", "steps")} == \
            {key: value for key, value in before.items() if key not in ("id", "steps")}
        old, new = generated_steps(DEFAULT, data), generated_steps(DEFAULT, mutated)
        counts.add((kind, len(new) - len(old)))
        if kind == 10:  # one step more, the others kept in order; with no room, one made way
            room = len(old) < DEFAULT.max_steps
            kept = [old] if room else [old[:gone] + old[gone + 1:] for gone in range(len(old))]
            assert len(new) == len(old) + room and any(new[:at] + new[at + 1:] in kept for at in range(len(new)))
        elif kind == 11 and len(new) < len(old):
            assert any(old[:at] + old[at + 1:] == new for at in range(len(old)))
        elif kind == 12 and len(new) > len(old):
            assert any(new[at] == new[at + 1] and new[:at] + new[at + 1:] == old for at in range(len(old)))
        else:  # the step count allowed no such change
            assert mutated == data and len(old) == (DEFAULT.max_steps if kind == 12 else 1)
    assert {(10, 1), (10, 0), (11, -1), (12, 1)} <= counts
    # a step of an entry of another swarm policy comes with the switch its op needs
    bare = bytes(size)
    other = generated_with_steps(DEFAULT, b"\x01" * policy + bytes(size - policy), [bytes([5]) + bytes(23)] * 2)
    taken = [_guidance._mutate_steps(random.Random(seed), 10, bare, other, layout) for seed in range(20)]
    assert {generated_case(DEFAULT, data)["steps"][0]["op"] for data in taken} >= {"import_module", "invalidate_caches"}
    assert all("invalidate_caches" not in [step["op"] for step in generated_case(DEFAULT, data)["steps"]]
               or data[:policy] != bytes(policy) for data in taken)


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
    from conformance.strategies import DEFAULT, describe_policy, generated_case

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


def test_a_damaged_saved_input_is_skipped_counted_and_removed():
    database = InMemoryExampleDatabase()
    database.save(CORPUS_KEY, bytes(8))
    database.save(CORPUS_KEY, b"\x01\x02\x03")  # cut short (a write interrupted, a disk gone bad)
    guide = Guide(8, database)
    assert guide.damaged == 1
    assert list(database.fetch(CORPUS_KEY)) == [bytes(8)]
    assert Guide(8, database).damaged == 0
