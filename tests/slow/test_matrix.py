"""The results matrix from real reports (CPython 3.8-3.13, PyPy with its expectations, a mutant),
as Markdown and as an HTML page checked in headless Chromium: no console errors, the JSON totals."""
import json
import re
import shutil
import subprocess

import pytest

from tests.conftest import CPYTHONS, REPO, TARGETS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from conformance._cli import main

    where = tmp_path_factory.mktemp("reports")
    runs = [(["--target", "stdlib", "--reference", "expected", "--python", v], "cpython%s" % v) for v in CPYTHONS]
    runs.append((["--target", "stdlib", "--reference", "expected", "--python", "pypy3",
                  "--expectations", str(REPO / "expectations" / "pypy3.9.toml")], "pypy"))
    runs.append((["--target", str(TARGETS / "mutant_unbound_submodule.py"), "--python", "3.11"], "mutant"))
    paths = []
    for args, name in runs:
        path = where / ("%s.json" % name)
        assert main(["check", *args, "--json", str(path)]) in (0, 1)
        paths.append(path)
    return paths


def _totals(paths):
    """Per column, the counts the JSON reports say."""
    totals = []
    for path in paths:
        data = json.loads(path.read_text())
        for label in dict.fromkeys(v["interpreter"] for v in data["verdicts"]):
            mine = [v for v in data["verdicts"] if v["interpreter"] == label]
            totals.append({
                "pass": sum(v["status"] == "passed" for v in mine),
                "fail": sum(v["status"] == "failed" and v.get("judgement") != "expected" for v in mine),
                "expected fail": sum(v.get("judgement") == "expected" for v in mine),
                "skipped": sum(v["status"] == "skipped" for v in mine),
                "unsupported": sum(v["status"] == "unsupported" for v in mine),
                "error": sum(v["status"] == "error" for v in mine)})
    return totals


def test_markdown_and_html_in_headless_chromium(cli, reports, tmp_path, monkeypatch):
    markdown, page = tmp_path / "m.md", tmp_path / "m.html"
    monkeypatch.chdir(reports[0].parent)  # the reports are then named relative to it
    result = cli("matrix", *reports, "--markdown", markdown, "--html", page)
    assert result.code == 0
    text = markdown.read_text()
    totals = _totals(reports)
    labels = [label for path in reports for label in dict.fromkeys(
        v["interpreter"] for v in json.loads(path.read_text())["verdicts"])]
    pypy, mutant = len(CPYTHONS), len(CPYTHONS) + 1  # the columns after the CPythons'
    assert len(totals) == len(CPYTHONS) + 2 and totals[pypy]["expected fail"] == 10 and totals[mutant]["fail"] > 0
    # the summary: a row per implementation, its pass rate and counts as the JSON says
    summary = text.split("| --- |", 1)[1].split("\n\n", 1)[0].splitlines()[1:]  # in the columns' order
    assert len(summary) == len(totals)
    for label, counts, row in zip(labels, totals, summary):
        assert row.startswith("| %s |" % label), row
        ran = counts["pass"] + counts["fail"] + counts["expected fail"] + counts["error"]
        assert row.endswith("| %.1f%% | %d | %d | %d | %d | %d | %d |" % (
            100.0 * counts["pass"] / ran, counts["pass"], counts["expected fail"], counts["fail"], counts["error"],
            counts["unsupported"], counts["skipped"])), row
    assert "| `dunder_import.level.float` |" in text  # PyPy's expected failure is listed
    assert "## By area" in text and "| namespace |" in text
    assert "Reports: %s\n" % ", ".join(path.name for path in reports) in text
    source = page.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", source)  # nothing from the network
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is needed (.ci/run installs Debian's chromium)"
    done = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--v=0", "--dump-dom", page.as_uri() + "#differing"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert ":CONSOLE" not in done.stderr, [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    shown = {}
    for column, status, count in re.findall(
            r"<td class=\"number\" data-column=\"(\d+)\" data-status=\"([^\"]+)\">(\d+)</td>", done.stdout):
        shown.setdefault(int(column), {})[status] = int(count)
    assert [shown[i] for i in range(len(totals))] == totals
    for index, label in enumerate(labels):  # the summary row of each implementation
        assert '<tr class="implementation" data-column="%d"><td>%s</td>' % (index, label) in done.stdout
    assert "<details><summary>fail</summary>" in done.stdout  # a failing cell opens to its fields
    # #differing opened every area and hid the cases that pass (or are unsupported) everywhere
    assert 'data-open="yes"' in done.stdout and 'data-open="no"' not in done.stdout
    assert re.search(r'<tr class="case" data-area="\w+" data-everywhere-pass="yes" hidden="">', done.stdout)
    assert not re.search(r'<tr class="case" data-area="\w+" data-everywhere-pass="no" hidden', done.stdout)
    # a picture of it, for a person (kept with the test's files, and under .conformance_cache/artefacts)
    shot = tmp_path / "matrix.png"
    done = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--window-size=1400,1300", "--screenshot=%s" % shot, page.as_uri() + "#differing"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shot.stat().st_size > 20000, done.stderr[-2000:]
    artefacts = REPO / ".conformance_cache" / "artefacts"
    artefacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, artefacts / "matrix.png")
    shutil.copy(page, artefacts / "matrix.html")


def test_a_report_that_is_not_a_check_report_is_a_usage_error(cli, tmp_path):
    fuzz = tmp_path / "fuzz.json"
    fuzz.write_text(json.dumps({"cases": 3, "divergences": []}))
    result = cli("matrix", fuzz)
    assert result.code == 2 and result.err.strip() == (
        "error: %s: not a check report with verdicts (write one with check --json; fuzz reports have no "
        "per-case verdicts)" % fuzz)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = cli("matrix", broken)
    assert result.code == 2 and result.err.startswith("error: %s: cannot read a JSON report" % broken)
