"""`python -m conformance coverage`: importlib's source under coverage.py while the catalogue runs
against the `source` target; what loading the target runs is not counted."""
import re

import pytest

pytestmark = pytest.mark.slow


def _row(table, key):
    match = re.search(r"^\| `%s` \| (\d+)/(\d+) \| (\d+)/(\d+) \|$" % re.escape(key), table, re.M)
    assert match, key
    return tuple(int(group) for group in match.groups())


def test_coverage_of_the_catalogue_on_importlibs_source(cli, tmp_path):
    result = cli("coverage", "--python", "3.11", "--out", tmp_path)
    assert result.code == 0, result.err
    assert "cpython 3.11.7: importlib's source run by the catalogue" in result.out
    table = (tmp_path / "3.11.7" / "functions.md").read_text()
    run, branches, lines_run, lines = _row(table, "_bootstrap.py:_find_and_load_unlocked")
    assert run > 0 and lines_run > 0
    assert _row(table, "_bootstrap_external.py:FileFinder.find_spec")[0] > 0
    assert _row(table, "_bootstrap.py:_setup")[2] == 0  # runs while the target loads: not the cases'
    assert (tmp_path / "3.11.7" / "html" / "index.html").is_file()


def test_coverage_needs_native_cpython(cli, tmp_path):
    result = cli("coverage", "--python", "pypy3", "--out", tmp_path)
    assert result.code == 2 and "coverage of importlib's source needs native CPython" in result.err
    assert result.err.strip().count("\n") == 0
