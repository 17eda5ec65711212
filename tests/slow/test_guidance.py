"""Coverage-guided search end to end: the branches reported on the interpreters that watch them
with sys.monitoring and with a trace function, and in an --across campaign only by those with
sys.monitoring; a later campaign replays the corpus; forked runs are unguided and say so."""
import json

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    """An empty example database (and so corpus) for each campaign."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("python", ["3.11", "3.13"])  # a trace function; sys.monitoring
def test_the_runs_report_the_branches_of_importlib_they_reach(cli, tmp_path, python):
    result = cli("fuzz", "--target", "stdlib", "--python", python, "--examples", "300", "--seed", "1",
                 "--jobs", "1", "--json", tmp_path / "r.json")  # one worker: it alone reports each branch again
    guidance = json.loads((tmp_path / "r.json").read_text())["guidance"]
    assert result.code == 0 and "fuzz: guided by" in result.out, result.out[-2000:]
    ((label, branches),) = guidance["branches"].items()
    assert python in label and branches == guidance["total"] > 500  # importlib's functions, many branches each
    assert 0 < guidance["rare"] < guidance["total"] / 2  # most reported again after the worker forgot them
    assert 10 < guidance["corpus"] < 300
    samples = guidance["over_time"]  # (seconds, cases, branches), growing
    assert samples and all(a[1] <= b[1] and a[2] <= b[2] for a, b in zip(samples, samples[1:]))


def test_across_versions_only_the_interpreters_with_sys_monitoring_report(cli, tmp_path):
    result = cli("fuzz", "--target", "stdlib", "--across", "--python", "3.11", "--python", "3.13",
                 "--examples", "100", "--seed", "1", "--json", tmp_path / "r.json")
    guidance = json.loads((tmp_path / "r.json").read_text())["guidance"]
    assert result.code in (0, 1), result.out[-2000:]  # a version change may be found
    assert [label for label in guidance["branches"]] == [label for label in guidance["branches"] if "3.13" in label]
    assert guidance["total"] > 500


def test_a_later_campaign_replays_the_corpus_first(cli, tmp_path):
    options = ["fuzz", "--target", "stdlib", "--python", "3.13", "--examples", "300", "--seed", "1"]
    first = cli(*options, "--json", tmp_path / "first.json")
    corpus = json.loads((tmp_path / "first.json").read_text())["guidance"]["corpus"]
    assert first.code == 0 and corpus > 10, first.out[-2000:]
    second = cli(*options, "--seed", "2", "--json", tmp_path / "second.json")
    assert second.code == 0, second.out[-2000:]
    assert json.loads((tmp_path / "second.json").read_text())["guidance"]["replayed"] == corpus


def test_forked_runs_are_unguided_and_say_so(cli, tmp_path):
    result = cli("fuzz", "--target", "stdlib", "--python", "3.13", "--examples", "100", "--isolation", "fork",
                 "--json", tmp_path / "r.json")
    assert result.code == 0 and "unguided: the runs are not in-process" in result.out, result.out[-2000:]
    assert json.loads((tmp_path / "r.json").read_text())["guidance"] is None



def test_a_divergence_behind_rare_branches_is_found_guided_within_a_budget_the_unguided_search_misses(cli, tmp_path):
    """tests/targets/deep_gate.py differs only behind four gates of its own code. Measured on 3.13
    with one worker (2026-12-05): unguided, 4000 cases found it for none of seeds 1-6 (12000 did
    for two of three); guided, 4000 cases found it for five of six. The unguided search is the same
    for a seed, so its miss is certain; the guided one is not (docs/fuzzing.md), so it gets three
    seeds, each with the same budget, and must find it with one."""
    from tests.conftest import TARGETS

    def campaign(guidance, seed):
        report = tmp_path / ("%s-%d.json" % (guidance, seed))
        result = cli("fuzz", "--target", TARGETS / "deep_gate.py", "--python", "3.13", "--jobs", "1", "--examples",
                     "4000", "--seed", str(seed), "--first", "--guidance", guidance, "--json", report,
                     "--out", tmp_path / ("out-%s-%d" % (guidance, seed)))
        assert result.code in (0, 1), result.out[-2000:]
        return json.loads(report.read_text())["divergences"]

    assert campaign("off", 1) == []
    found = next((divergences for seed in (1, 2, 3) if (divergences := campaign("on", seed))), [])
    assert found and any(step["op"] == "import_module" for step in found[0]["case"]["steps"]), found
