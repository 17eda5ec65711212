"""Expectation files as a CI gate: exit 0 when every outcome is the expected one; a removed entry,
a listed case that now passes or fails otherwise, fails the run; JUnit XML beside it."""
import json
import re
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import REPO, TARGETS

pytestmark = pytest.mark.slow
PYPY = REPO / "expectations" / "pypy3.9.toml"
MUTANT = TARGETS / "mutant_import_level_message.py"
CASES = REPO / "conformance" / "catalogue" / "dunder_import.json"


def test_the_shipped_pypy_file_makes_pypy_pass_and_each_entry_counts(cli, tmp_path):
    junit = tmp_path / "j.xml"
    result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", "pypy3",
                 "--expectations", PYPY, "--junit", junit)
    assert result.code == 0, result.out[-3000:]
    assert "10 expected failures (%s)" % PYPY in result.last_line
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites" and root.get("failures") == "0" and int(root.get("tests")) > 250
    skipped = [c for c in root.iter("testcase") if c.find("skipped") is not None]
    assert any(c.get("name") == "dunder_import.level.float"
               and c.find("skipped").get("message").startswith("expected failure: PyPy words") for c in skipped)
    # without one entry, that case is a divergence again, and the run fails naming it
    text = PYPY.read_text()
    start = text.index('[[expect]]\ncase = "reload.syntax_error"')
    shorter = tmp_path / "pypy.toml"
    shorter.write_text(text[:start])
    result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", "pypy3",
                 "--expectations", shorter)
    assert result.code == 1 and "DIVERGENCE reload.syntax_error on pypy" in result.out
    assert re.match(r"\d+ passed, 1 failed \(9 expected failures", result.last_line)


def test_both_pypy_files_gate_both_pypys_in_one_run(cli):
    """--expectations twice: the files read as one; each entry is scoped to its PyPy."""
    result = cli("check", "--target", "stdlib", "--reference", "expected", "--python", "pypy3", "--python",
                 "pypy3.11", "--expectations", PYPY, "--expectations", REPO / "expectations" / "pypy3.11.toml")
    assert result.code == 0, result.out[-3000:]
    assert "21 expected failures (%s, %s)" % (PYPY, REPO / "expectations" / "pypy3.11.toml") in result.last_line
    alone = cli("check", "--target", "stdlib", "--reference", "expected", "--python", "pypy3.11",
                "--expectations", PYPY)  # 3.9's entries do not cover 3.11
    assert alone.code == 1 and "11 failed" in alone.last_line


def test_update_then_gate_then_a_fix_and_a_different_failure(cli, tmp_path):
    written = tmp_path / "mutant.toml"
    first = cli("check", "--target", MUTANT, "--python", "3.11", "--cases", CASES,
                "--update-expectations", written)
    assert first.code == 1 and "wrote 2 expectations to" in first.out
    entries = written.read_text()
    assert 'case = "dunder_import.level.negative"' in entries and "TODO" in entries
    gate = cli("check", "--target", MUTANT, "--python", "3.11", "--cases", CASES, "--expectations", written,
               "--json", tmp_path / "r.json")
    assert gate.code == 0, gate.out[-2000:]
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["expected_failures"] == 2 and report["unexpected"] == 0
    assert {v["judgement"] for v in report["verdicts"]} == {"ok", "expected"}
    # the stdlib passes both listed cases: strict, as pytest's xfail(strict=True)
    fixed = cli("check", "--target", "stdlib", "--python", "3.11", "--cases", CASES, "--expectations", written)
    assert fixed.code == 1
    assert fixed.out.count("now passes: remove it from %s:" % written) == 2
    # a listed case failing in other fields than written fails the run
    other = tmp_path / "other.toml"
    other.write_text(entries.replace('"steps[0].exception.message"', '"steps[0].result"'))
    differently = cli("check", "--target", MUTANT, "--python", "3.11", "--cases", CASES, "--expectations", other)
    assert differently.code == 1 and "fails differently than %s:" % other in differently.out
    assert "DIVERGENCE dunder_import.level.negative on" in differently.out


def test_skip_entries_are_not_run_and_bad_files_are_usage_errors(cli, tmp_path):
    skip = tmp_path / "skip.toml"
    skip.write_text('[[expect]]\ncase = "dunder_import.level.negative*"\nstatus = "skip"\nreason = "not today"\n')
    result = cli("check", "--target", MUTANT, "--python", "3.11", "--cases", CASES, "--expectations", skip,
                 "--json", tmp_path / "r.json")
    assert result.code == 0
    notes = {v["case"]: v.get("note") for v in json.loads((tmp_path / "r.json").read_text())["verdicts"]}
    assert notes["dunder_import.level.negative"] == "expectation: not today"
    for text, message in (('[[expect]]\ncase = "nope.*"\nstatus = "fail"\nreason = "r"\n',
                           "%s:1: case: 'nope.*' names no case of this run"),
                          ('[[expect]]\ncase = "a"\nstatus = "maybe"\nreason = "r"\n', "%s:3: status: 'maybe'")):
        bad = tmp_path / "bad.toml"
        bad.write_text(text)
        result = cli("check", "--target", "stdlib", "--python", "3.11", "--cases", CASES, "--expectations", bad)
        assert result.code == 2 and result.err.strip().splitlines() == [
            "error: " + result.err.strip()[len("error: "):]] and (message % bad) in result.err


def test_fuzz_counts_what_an_entry_expects_and_writes_junit(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    junit = tmp_path / "f.xml"
    found = cli("fuzz", "--target", MUTANT, "--python", "3.11", "--examples", "1500", "--seed", "1",
                "--first", "--out", tmp_path / "out", "--junit", junit)
    assert found.code == 1
    (failure,) = [c for c in ET.parse(junit).getroot().iter("testcase") if c.find("failure") is not None]
    assert "steps[].exception.message" in failure.find("failure").get("message")
    known = tmp_path / "known.toml"
    known.write_text('[[expect]]\ncase = "fuzz.*"\nstatus = "fail"\nfields = ["steps[*].exception.message"]\n'
                     'reason = "the mutant words the negative-level ValueError otherwise"\n')
    report = tmp_path / "r.json"
    quiet = cli("fuzz", "--target", MUTANT, "--python", "3.11", "--examples", "1500", "--seed", "1",
                "--out", tmp_path / "out2", "--expectations", known, "--json", report, "--junit", junit)
    data = json.loads(report.read_text())
    assert data["expected_divergences"] > 0 and "divergences expected by %s" % known in quiet.out
    # what the entry covers is never a finding; the mutant's other differences still are
    for divergence in data["divergences"]:
        assert not all(d["path"].endswith(".exception.message") for d in divergence["differences"]), divergence
    root = ET.parse(junit).getroot()
    assert root.get("tests") == root.get("failures") == str(len(data["divergences"]))
