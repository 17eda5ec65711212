"""The coverage comparison's pieces: function names as coverage.py gives them, and tables."""
from benchmarks.coverage_vs_test_importlib import function_spans, innermost
from conformance._coverage import function_table, render_table

SOURCE = '''\
def top():
    return [x for x in ()]

class Finder:
    @classmethod
    def find(cls):
        def inner():
            return 1
        return inner


def last():
    pass
'''


def test_function_spans_name_methods_nested_functions_and_decorated_ones():
    spans = function_spans(SOURCE)
    assert [name for _, _, name in spans] == ["top", "Finder.find", "Finder.find.inner", "last"]
    assert innermost(spans, 2) == "top"  # a comprehension belongs to its function
    assert innermost(spans, 5) == "Finder.find"  # a decorator's line: its code starts there
    assert innermost(spans, 8) == "Finder.find.inner"
    assert innermost(spans, 4) is None  # class body: module-level code


def test_function_table_leaves_out_module_level_code_and_other_files():
    summary = {"num_branches": 4, "covered_branches": 3, "num_statements": 5, "covered_lines": 5}
    report = {"files": {
        "/lib/importlib/_bootstrap.py": {"functions": {"": {"summary": summary}, "_find": {"summary": summary}}},
        "/lib/importlib/util.py": {"functions": {"find_spec": {"summary": summary}}}}}
    table = function_table(report)
    assert list(table) == ["_bootstrap.py:_find"]
    text = render_table(table)
    assert "| `_bootstrap.py:_find` | 3/4 | 5/5 |" in text
    assert text.splitlines()[-1] == "| **total** | 3/4 (75.0%) | 5/5 (100.0%) |"


def test_mutation_candidates_change_one_thing_in_code_only():
    from benchmarks.importlib_mutants import candidates

    source = '''def f(a, b):
    """Docstring: a == b is not code."""
    if a == b and b is None:
        return True
    x = compute(a)
    raise ValueError(x)
'''
    found = dict()
    for number, line in candidates(source):
        found.setdefault(number, []).append(line.strip())
    assert 1 not in found and 0 not in found  # the docstring and the def line are left alone
    assert "if a != b and b is None:" in found[2] and "if a == b or b is None:" in found[2]
    assert "if a == b and b is not None:" in found[2]
    assert found[3] == ["return False"] and found[4] == ["pass"]
    assert 5 not in found  # a raise is not removed: the mutant would differ only by falling through


def test_results_of_one_version_keep_the_others(tmp_path, monkeypatch, capsys):
    """A run for 3.11 leaves 3.13's results in place (the mutant benchmark reads them by version)."""
    import json

    from benchmarks import coverage_vs_test_importlib as bench

    monkeypatch.setattr(bench, "OUT", tmp_path)
    monkeypatch.setattr(bench, "compare", lambda version, seconds: ("", {"version": version, "summary": version}))
    bench.main(["--python", "3.13.0"])
    bench.main(["--python", "3.11.7"])
    bench.main(["--python", "3.13.0"])
    assert sorted(e["version"] for e in json.loads((tmp_path / "results.json").read_text())) == ["3.11.7", "3.13.0"]
