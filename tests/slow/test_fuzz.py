"""The fuzzer end to end: mutants found and reduced, the control clean, cross-version reports,
findings written as replayable case, standalone repro script and Markdown."""
import json
import subprocess

import pytest

from conformance._interpreters import resolve
from tests.conftest import TARGETS

pytestmark = pytest.mark.slow
EXAMPLES = 4000
# the fuzzer generates no `threads` steps (a generated case's observation must not depend on
# timing): a mutant only threads show is the catalogue's (tests/slow/test_targets.py)
ONLY_THREADS = {"mutant_import_module_no_lock_wait.py"}
MUTANTS = sorted(path.name for path in TARGETS.glob("mutant_*.py") if path.name not in ONLY_THREADS)


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    """Each campaign starts with an empty example database (.conformance_cache in the cwd):
    nothing found by an earlier run may be replayed into a test's result."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("mutant", MUTANTS)
def test_every_mutant_is_found_with_a_small_case(cli, tmp_path, mutant):
    # A case budget, not seconds, and the unguided search, so the result does not depend on the
    # machine's load: the random search is the same for a seed, only slower under load (the guided
    # one learns from branches that several workers report in an order the load decides).
    # EXAMPLES is about 30 s of fuzzing here.
    report = tmp_path / "r.json"
    result = cli("fuzz", "--target", TARGETS / mutant, "--python", "3.11", "--examples", EXAMPLES,
                 "--seed", "1", "--first", "--guidance", "off", "--out", tmp_path / "out", "--json", report)
    assert result.code == 1, result.out[-2000:]
    (divergence,) = json.loads(report.read_text())["divergences"]
    assert len(divergence["case"].get("files", {})) <= 3 and len(divergence["case"]["steps"]) <= 3


@pytest.mark.parametrize("mutant", ["mutant_unbound_submodule.py", "mutant_import_level_message.py"])
def test_the_in_process_search_finds_the_minimal_case_a_process_per_run_finds(cli, tmp_path, monkeypatch, mutant):
    found = {}
    for isolation in ("inprocess", "fork"):
        monkeypatch.chdir(tmp_path.joinpath(isolation).mkdir() or tmp_path / isolation)  # a database each
        result = cli("fuzz", "--target", TARGETS / mutant, "--python", "3.11", "--examples", "3000", "--seed", "2",
                     "--first", "--isolation", isolation, "--guidance", "off", *(["--process-per-run"] if isolation == "fork" else []),
                     "--out", "out", "--json", "r.json")
        assert result.code == 1, result.out[-2000:]
        (divergence,) = json.loads((tmp_path / isolation / "r.json").read_text())["divergences"]
        found[isolation] = divergence
    # Hypothesis shrinks for a time, not a number of steps, so under load the names it ends with
    # may differ ('a' or 'p.zz'); the kind of divergence and the case's shape may not.
    assert found["inprocess"]["signature"] == found["fork"]["signature"]
    assert _shape(found["inprocess"]["case"]) == _shape(found["fork"]["case"])


def _shape(case: dict) -> tuple:
    """A case without its names: how many files and dirs together (a module may end as a file or as a
    namespace package's dir), path entries, and each step's op and level."""
    return (len(case.get("files", {})) + len(case.get("dirs", [])), len(case.get("sys_path", [])),
            [(step["op"], step.get("level")) for step in case["steps"]])


@pytest.mark.parametrize("mutant", ["mutant_unbound_submodule.py", "mutant_keeps_failed_module.py"])
def test_mutant_is_found_and_reduced(cli, tmp_path, mutant):
    out, report = tmp_path / "out", tmp_path / "r.json"
    # without finders or sys.modules seeds of the case's own: a case that keeps one (a located file
    # that is missing, an object in sys.modules) is a finding as good, but one finding.py cannot say plainly
    result = cli("fuzz", "--target", TARGETS / mutant, "--python", "3.11", "--examples", "2000", "--first",
                 "--seed", "3", "--policy", "no-finders,no-seeds", "--guidance", "off", "--out", out, "--json", report)
    assert result.code == 1
    data = json.loads(report.read_text())
    assert data["divergences"] and data["cases"] > 0 and data["cases_per_second"] > 0
    assert any(len(d["case"].get("files", {})) <= 3 and len(d["case"]["steps"]) <= 3 for d in data["divergences"])
    first = data["divergences"][0]
    where = out / first["written"].rsplit("/", 1)[1]
    assert {p.name for p in where.iterdir()} == {"case.json", "repro.py", "report.md", "finding.py"}
    replay = cli("check", "--target", TARGETS / mutant, "--python", "3.11", "--cases", where / "case.json")
    assert replay.code == 1
    python38 = resolve("3.8").path
    stdlib = subprocess.run([python38, str(where / "repro.py"), "stdlib"], capture_output=True, text=True)
    mutated = subprocess.run([python38, str(where / "repro.py"), str(TARGETS / mutant)], capture_output=True, text=True)
    assert stdlib.returncode == 0 and mutated.returncode == 0, stdlib.stderr + mutated.stderr
    assert stdlib.stdout.startswith("step 0 ") and stdlib.stdout != mutated.stdout
    # finding.py fails with the target (the difference said) and passes with the stdlib alone
    with_target = subprocess.run([python38, str(where / "finding.py")], capture_output=True, text=True)
    alone = subprocess.run([python38, str(where / "finding.py"), "--without-target"], capture_output=True, text=True)
    assert with_target.returncode == 1 and "DIFFERS:" in with_target.stdout, with_target.stdout + with_target.stderr
    assert alone.returncode == 0, alone.stdout + alone.stderr


def test_one_cause_is_one_finding(cli, tmp_path):
    # A hook that refuses every module named b shows it through many calls, exception types and
    # modules (a body that imports b, a package b under a relative import, `from b import c`):
    # each reduced to its cause and moved to the import it comes from, they are one finding,
    # the signatures it absorbed each listed with its case.
    report = tmp_path / "r.json"
    result = cli("fuzz", "--target", TARGETS / "hook_refuses_b.py", "--python", "3.12", "--examples", "500",
                 "--seed", "1", "--guidance", "off", "--out", tmp_path / "out", "--json", report)  # the same cases under any load
    assert result.code == 1, result.out[-2000:]
    (divergence,) = json.loads(report.read_text())["divergences"]
    assert len(divergence["absorbed"]) >= 3 and all(a["case"]["steps"] for a in divergence["absorbed"])
    assert [step["op"] for step in divergence["case"]["steps"]] in (["import_module"], ["__import__"])
    assert divergence["case"]["steps"][0]["name"].rpartition(".")[2] == "b" and len(divergence["case"]["files"]) <= 1


@pytest.mark.parametrize("target, options, isolation, shared", [
    ("stdlib", [], "inprocess", True), ("stdlib", ["--isolation", "fork"], "fork", True),
    ("stdlib", ["--process-per-run"], "fork", False), (TARGETS / "control.py", [], "inprocess", False),
    (TARGETS / "control.py", ["--isolation", "fork"], "fork", False),
], ids=["stdlib-inprocess", "stdlib-fork-per-case", "stdlib-process-per-run", "module-inprocess", "module-fork"])
def test_control_finds_nothing(cli, tmp_path, target, options, isolation, shared):
    report = tmp_path / "r.json"
    result = cli("fuzz", "--target", target, "--python", "3.8", "--seconds", "20",
                 "--out", tmp_path / "out", "--json", report, *options)
    assert result.code == 0 and "0 distinct divergences" in result.out
    assert not (tmp_path / "out").exists()
    data = json.loads(report.read_text())
    # Runs in the worker's own process, or reference then target in one fork, must not make the
    # control diverge either, not even unconfirmed; a target that is a module never shares a
    # process with the reference.
    assert data["isolation"] == isolation and data["shared_process"] is shared and data["unconfirmed"] == 0


def test_across_versions_reports_behaviour_changes(cli, tmp_path):
    report = tmp_path / "r.json"
    result = cli("fuzz", "--target", "stdlib", "--across", "--python", "3.8", "--python", "3.13",
                 "--examples", "2000", "--seed", "5", "--out", tmp_path / "out", "--json", report)
    assert result.code == 0  # a behaviour catalogue, not failures
    data = json.loads(report.read_text())
    assert data["across"] and data["divergences"]
    for divergence in data["divergences"]:
        assert [g["interpreters"] for g in divergence["groups"]] == [["cpython 3.8.18"], ["cpython 3.13.0"]]
    # the report is a change catalogue: each change once, marked against the catalogue's own list
    catalogue = (tmp_path / "out" / "changes.md").read_text()
    entries = [line for line in catalogue.splitlines() if line.startswith("- **")]
    assert len(entries) == len(data["divergences"]) and "## New after 3.8, by 3.13" in catalogue
    assert any("also in the catalogue's changes" in line for line in entries)
    assert "version changes (" in result.out and "change catalogue: " in result.out


def test_across_a_function_gone_is_a_change_and_the_c_import_runs_across_too(cli, tmp_path):
    # find_loader warns in other words from 3.10, returns on 3.11 and is gone from 3.12: the removal
    # reported once, not skipped as unsupported, nor hidden behind the words changed before it
    result = cli("fuzz", "--target", "stdlib", "--across", "--python", "3.9", "--python", "3.11", "--python", "3.12",
                 "--examples", "400", "--seed", "1", "--policy", "none,find_loader", "--out", tmp_path / "out")
    assert result.code == 0, result.out[-2000:]
    changes = (tmp_path / "out" / "changes.md").read_text()
    assert changes.count("importlib.find_loader is gone") == 1 and "(3.11 -> 3.12)" in changes
    assert "`steps[].warnings`" in changes and "find_loader.in_sys_modules** (3.9 -> 3.11)" in changes
    # the C __import__ (target builtin) across versions: the changes of its own words show
    report = tmp_path / "r.json"
    result = cli("fuzz", "--target", "builtin", "--across", "--python", "3.8", "--python", "3.13", "--examples", "500",
                 "--seed", "2", "--out", tmp_path / "builtin", "--json", report)
    assert result.code == 0, result.out[-2000:]
    data = json.loads(report.read_text())
    assert data["across"] and len(data["divergences"]) >= 3
    assert "the words of TypeError" in (tmp_path / "builtin" / "changes.md").read_text()  # a float level


def test_fuzz_usage_errors(cli):
    assert cli("fuzz", "--target", "stdlib", "--across", "--python", "3.11").code == 2
    result = cli("fuzz", "--target", "stdlib", "--python", "3.11", "--process-per-run", "--isolation", "inprocess")
    assert result.code == 2 and "--process-per-run: not with --isolation inprocess" in result.err
    assert cli("fuzz", "--target", "nothere.py").code == 2
    for jobs in ("0", "-1", "two"):
        with pytest.raises(SystemExit) as exit_:
            cli("fuzz", "--target", "stdlib", "--jobs", jobs)
        assert exit_.value.code == 2


def test_builtin_import_differences_are_rediscovered(cli, tmp_path):
    report = tmp_path / "r.json"
    result = cli("fuzz", "--target", "builtin", "--python", "3.11", "--examples", "3000", "--seed", "2",
                 "--out", tmp_path / "out", "--json", report)
    assert result.code == 1
    signatures = [d["signature"] for d in json.loads(report.read_text())["divergences"]]
    # Calls of __import__ differ directly; an import statement in a module body goes through it too.
    assert sum(s[0] == "__import__" for s in signatures) >= 2


def test_progress_lines_and_ctrl_c_keeps_what_was_found(tmp_path):
    """Ctrl-C at a terminal reaches the whole foreground process group: the host stops the
    campaign within seconds, exits 0 and still writes its report. (The workers run in sessions of
    their own, so that they are closed by the host rather than interrupted mid-run.)"""
    import os
    import signal
    import sys
    import time

    report = tmp_path / "r.json"
    host = subprocess.Popen([sys.executable, "-m", "conformance", "fuzz", "--target", "stdlib", "--python", "3.11",
                             "--seconds", "120", "--json", report, "--out", tmp_path / "out"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(TARGETS.parent.parent)})
    first = host.stderr.readline()  # not a terminal: a progress line at once, then every ten seconds
    assert first.startswith("fuzz: ") and " cases, " in first, first
    time.sleep(1)
    started = time.monotonic()
    os.killpg(host.pid, signal.SIGINT)
    out, err = host.communicate(timeout=30)
    assert time.monotonic() - started < 15
    assert host.returncode == 0, err[-2000:]
    data = json.loads(report.read_text())
    assert data["cases"] > 0 and data["elapsed_seconds"] < 60 and data["divergences"] == []
    assert "0 distinct divergences" in out


def test_check_fuzzes_after_the_catalogue_and_fails_on_a_finding(cli, tmp_path):
    from tests.conftest import case_file

    passing = case_file(tmp_path, {"id": "plain", "files": {"m.py": "x = 1"},
                                   "steps": [{"op": "import_module", "name": "m"}]})
    common = ["--python", "3.11", "--cases", passing, "--fuzz-seconds", "20", "--seed", "1", "--out", tmp_path / "out"]
    mutant = cli("check", "--target", TARGETS / "mutant_keeps_failed_module.py", *common)
    assert mutant.code == 1 and "1 passed" in mutant.out and "DIVERGENCE fuzz." in mutant.out
    assert list((tmp_path / "out").iterdir())
    control = cli("check", "--target", TARGETS / "control.py", *common)
    assert control.code == 0 and "0 distinct divergences" in control.out


def test_a_finding_says_where_it_reproduces(cli, tmp_path):
    # breaks_from_312 differs on 3.12 only: the search stops at the first interpreter that
    # diverges, so the reduced case is run again on each, and the reports name both sets.
    out, report = tmp_path / "out", tmp_path / "r.json"
    result = cli("fuzz", "--target", TARGETS / "breaks_from_312.py", "--python", "3.11", "--python", "3.12",
                 "--examples", "2000", "--seed", "1", "--first", "--out", out, "--json", report)
    assert result.code == 1, result.out[-2000:]
    (divergence,) = json.loads(report.read_text())["divergences"]
    py311, py312 = resolve("3.11").label, resolve("3.12").label
    assert divergence["reproduces_on"] == [py312] and divergence["passes_on"] == [py311]
    where = out / divergence["written"].rsplit("/", 1)[1]
    assert "Reproduces on: %s. Does not reproduce on: %s." % (py312, py311) in (where / "report.md").read_text()
    assert "reproduces on %s; not on %s." % (py312, py311) in (where / "finding.py").read_text()


def test_across_one_cause_is_one_change_whatever_field_shows_it_first():
    """3.10's zip importer (exec_module where 3.9 had load_module) sets __cached__ for one case and
    raises another exception for a module that removes itself from sys.modules: two first
    differences, one cause (the archive: as a directory, both versions agree)."""
    from conformance._findings import Finding, group_findings, signature_of
    from conformance._fuzz import Campaign
    from conformance._pool import Pool
    from conformance.strategies import case_from

    interpreters = [resolve("3.9"), resolve("3.10")]
    judge = Campaign(interpreters, "stdlib", across=True, jobs=1).judge
    judge.start({i: Pool(i, 1, targets=["stdlib"]) for i in interpreters})

    def archived(*lines):
        return case_from({"files": {"lib.zip": {"zip": {"mod.py": list(lines)}}}, "sys_path": ["lib.zip"],
                          "steps": [{"op": "import_module", "name": "mod"}]})

    try:
        findings = []
        for case in (archived("x = 1"), archived("import sys", "del sys.modules[__name__]")):
            divergence, groups = judge.judge(case)
            findings.append(Finding(signature_of(case, divergence), case, divergence, interpreters, groups))
        assert findings[0].root != findings[1].root  # their first differences alone tell two changes
        assert not judge.shows_known(findings[0])
        judge.changes.add(findings[0])
        assert findings[0].root == ("3.10", "cause", ("zip archives",))
        assert judge.shows_known(findings[1])  # steered away from: the archive is the cause again
        findings[1].cause = judge.changes.cause_of(findings[1])
        assert len(group_findings(findings)) == 1
        # a change the archive does not cause (3.10's parser words a syntax error otherwise) stays new
        syntax = archived("x = (")
        divergence, groups = judge.judge(syntax)
        other = Finding(signature_of(syntax, divergence), syntax, divergence, interpreters, groups)
        assert not judge.shows_known(other) and judge.changes.cause_of(other) == ()
        assert other.root == ("3.10", "message", "SyntaxError")
    finally:
        for pool in judge.pools.values():
            pool.close()


def test_across_a_finding_the_changes_found_explain_is_absorbed():
    """3.9 raises ImportError where 3.8 raised ValueError for a relative import beyond the top-level
    package; under an `except ImportError:` guard that shows as another exception later (the
    module goes on to import one that raises ValueError('boom')). Catching ValueError too in the
    guards makes 3.8 and 3.9 agree: the second finding is absorbed by the first."""
    from conformance._findings import Finding, signature_of
    from conformance._fuzz import Campaign
    from conformance._pool import Pool
    from conformance.strategies import case_from

    interpreters = [resolve("3.8"), resolve("3.9")]
    judge = Campaign(interpreters, "stdlib", across=True, jobs=1).judge
    judge.start({i: Pool(i, 1, targets=["stdlib"]) for i in interpreters})
    guard = "try:\n    from .. import b\nexcept ImportError:\n    pass"
    plain = case_from({"files": {"r/p/__init__.py": "from .. import b"}, "sys_path": ["r"],
                       "steps": [{"op": "import_module", "name": "p"}]})
    guarded = case_from({"files": {"r/p/__init__.py": [guard, "import q"], "r/q.py": "raise ValueError('boom')"},
                         "sys_path": ["r"], "steps": [{"op": "import_module", "name": "p"}]})
    masked = case_from({"files": {"r/p/__init__.py": guard}, "sys_path": ["r"],  # 3.9 returns the module
                        "steps": [{"op": "import_module", "name": "p"}]})
    try:
        findings = []
        for case in (plain, guarded, masked):
            divergence, groups = judge.judge(case)
            findings.append(Finding(signature_of(case, divergence), case, divergence, interpreters, groups))
        assert findings[0].root == ("3.9", "raises", "ValueError", "ImportError")
        assert findings[1].root == ("3.9", "message", "ValueError")  # its first difference alone: another change
        # one change in itself (a ValueError no longer raised), but the same one
        assert findings[2].root == ("3.9", "raises", "ValueError", None)
        judge.changes.add(findings[0])
        assert judge.shows_known(findings[1]) and judge.shows_known(findings[2])
        # found in another order (the guarded ones first), they are absorbed at the end
        judge.changes.roots.clear()
        for finding in (findings[2], findings[1], findings[0]):
            judge.changes.add(finding)
        kept = judge.changes.absorb_explained([findings[2], findings[1], findings[0]])
        assert kept == [findings[0]] and findings[0].absorbed == [findings[2], findings[1]]
    finally:
        for pool in judge.pools.values():
            pool.close()


def test_across_a_case_shows_its_next_boundary_once_the_first_is_found():
    """find_loader warns in other words from 3.10 and is gone from 3.12: a case calling it shows
    the 3.10 change first; once that is found, the same case shows the 3.12 removal (between the
    versions alike on each side of it), while the runs that tell a cause still see every version."""
    from conformance._findings import Finding, signature_of
    from conformance._fuzz import Campaign
    from conformance._pool import Pool
    from conformance.strategies import case_from

    interpreters = [resolve("3.9"), resolve("3.10"), resolve("3.11"), resolve("3.12")]
    judge = Campaign(interpreters, "stdlib", across=True, jobs=1).judge
    judge.start({i: Pool(i, 1, targets=["stdlib"]) for i in interpreters})
    case = case_from({"steps": [{"op": "find_loader", "name": "sys"}]})
    labels = [i.label for i in interpreters]
    try:
        divergence, groups = judge.judge(case)
        first = Finding(signature_of(case, divergence), case, divergence, interpreters, groups)
        assert first.root[:3] == ("3.10", "field", "steps[].warnings")
        assert [g[0] for g in groups] == [labels[:1], labels[1:3], labels[3:]]
        judge.changes.add(first)
        divergence, groups = judge.judge(case)
        second = Finding(signature_of(case, divergence), case, divergence, interpreters, groups)
        assert second.root == ("3.12", "gone", "find_loader") and not judge.shows_known(second)
        assert [g[0] for g in groups] == [labels[1:3], labels[3:]]
        assert [g[0] for g in judge.changes._run_across(case)[1]] == [labels[:1], labels[1:3], labels[3:]]
        judge.changes.add(second)
        assert judge.judge(case)[1] == judge.changes._run_across(case)[1]  # every boundary found: as at first
    finally:
        for pool in judge.pools.values():
            pool.close()


def test_across_a_cause_may_leave_a_change_found_already_at_its_boundary():
    """3.12 stops asking a legacy meta-path finder (find_module) and words a namespace package's
    repr otherwise: a case importing a namespace package past such a finder shows both. Once the
    repr's change is found, the legacy finder is the cause of the other (its ablation leaves only
    the repr's change), so the case does not make a change of its own."""
    from conformance._findings import Finding, signature_of
    from conformance._fuzz import Campaign
    from conformance._pool import Pool
    from conformance.strategies import case_from

    interpreters = [resolve("3.11"), resolve("3.12")]
    judge = Campaign(interpreters, "stdlib", across=True, jobs=1).judge
    judge.start({i: Pool(i, 1, targets=["stdlib"]) for i in interpreters})
    namespace = {"dirs": ["r0/b"], "sys_path": ["r0"], "steps": [{"op": "__import__", "name": "b"}]}
    legacy = {**namespace, "meta_path": [{"finder": "legacy_serving", "name": "f", "names": ["a"],
                                          "modules": {"a": "v = 1"}}]}
    try:
        findings = []
        for case in (case_from(namespace), case_from(legacy)):
            divergence, groups = judge.judge(case)
            findings.append(Finding(signature_of(case, divergence), case, divergence, interpreters, groups))
        assert findings[0].root[:3] == ("3.12", "field", "steps[].result.repr")
        assert findings[1].root[:3] == ("3.12", "field", "steps[].finder_calls")
        assert judge.changes.cause_of(findings[1]) == ()  # the repr's change not found yet: it stays
        judge.changes.add(findings[0])
        assert judge.changes.cause_of(findings[1]) == ("legacy meta-path finders",)
    finally:
        for pool in judge.pools.values():
            pool.close()
