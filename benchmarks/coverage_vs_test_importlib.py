"""How much of importlib's own source this suite runs, against CPython's own test_importlib.

    python benchmarks/coverage_vs_test_importlib.py [--python 3.11 --python 3.13] [--fuzz-seconds 60]
        [--markdown FILE]

For each interpreter (default 3.11 and 3.13), in one virtual environment of it with coverage.py:
- ours: `python -m conformance coverage` (the catalogue, plus N seconds of fuzzing, against the
  `source` target: importlib executed from its .py files);
- theirs: CPython's test_importlib (without test_threaded_import, whose threads hang when
  traced) under coverage.py, with a profiler noting which code of importlib's source runs with
  one of the five functions (import_module, __import__, find_loader, invalidate_caches, reload)
  on the stack.
The functions compared are those of _bootstrap.py and _bootstrap_external.py that the five
functions reach: reached so in test_importlib's run, or run by our cases (which call nothing
else). Printed (and written with --markdown): per interpreter, the branches each suite runs in
those functions, and every function where ours runs fewer.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance._coverage import (FILES, coverage_python, function_table, importlib_dir,  # noqa: E402
                                   measure, report)
from conformance._files import write_text  # noqa: E402
from conformance._interpreters import resolve  # noqa: E402

OUT = ROOT / ".conformance_cache" / "coverage-benchmark"


def function_spans(source: str) -> list[tuple[int, int, str]]:
    """(first line, last line, dotted name) of every function, decorators included, named as
    coverage.py names them (Class.method, outer.inner)."""
    spans = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    spans.append((first, child.end_lineno, name))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return spans


def innermost(spans, line: int) -> str | None:
    """The name of the innermost function whose lines hold `line`."""
    holding = [(last - first, name) for first, last, name in spans if first <= line <= last]
    return min(holding)[1] if holding else None


def theirs(python: Path, out: Path) -> tuple[dict, set[str], dict]:
    """test_importlib under coverage: (function table, functions reached through the five, run facts)."""
    library = importlib_dir(python)
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob(".coverage*"):
        old.unlink()
    include = ",".join(os.path.join(library, name) for name in FILES)
    facts_file = out / "reach.json"
    subprocess.run([str(python), "-m", "coverage", "run", "--branch", f"--data-file={data / '.coverage.run'}",
                    f"--include={include}", str(ROOT / "benchmarks" / "_test_importlib_run.py"), str(facts_file)],
                   check=True, stderr=subprocess.DEVNULL)
    facts = json.loads(facts_file.read_text())
    spans = {name: function_spans(Path(library, name).read_text()) for name in FILES}
    reached = set()
    for file, line in facts["reached"]:
        name = innermost(spans[file], line)
        if name:
            reached.add(f"{file}:{name}")
    return function_table(report(python, data, out)), reached, facts


def compare(version: str, fuzz_seconds: float) -> tuple[str, dict]:
    interpreter = resolve(version)
    label = ".".join(map(str, interpreter.version))
    python = coverage_python(interpreter)
    ours = function_table(measure(interpreter, OUT / label / "ours", fuzz_seconds))
    their_table, reached, facts = theirs(python, OUT / label / "test_importlib")
    reachable = sorted(key for key in set(their_table) | set(ours)
                       if key in reached or (key in ours and ours[key].lines_run))
    totals = {"ours": [0, 0], "theirs": [0, 0]}
    below = []
    for key in reachable:
        mine, other = ours.get(key), their_table.get(key)
        branches = (mine or other).branches
        run_mine = mine.branches_run if mine else 0
        run_other = other.branches_run if other else 0
        totals["ours"][0] += run_mine
        totals["theirs"][0] += run_other
        totals["ours"][1] = totals["theirs"][1] = totals["ours"][1] + branches
        if run_mine < run_other:
            below.append(f"`{key}` ({run_mine} vs {run_other} of {branches})")
    def share(pair):
        return f"{pair[0]}/{pair[1]} ({100.0 * pair[0] / pair[1]:.1f}%)" if pair[1] else "-"
    text = (f"CPython {label}: {len(reachable)} functions reached by the five functions; branches run: "
            f"this suite (catalogue + {fuzz_seconds:g} s fuzz) {share(totals['ours'])}, "
            f"test_importlib ({facts['tests']} tests, {facts['failures']} failing) {share(totals['theirs'])}.\n"
            f"Where this suite runs fewer branches: {', '.join(below) or 'none'}.")
    rows = ["| function | branches | this suite | test_importlib |", "| --- | --- | --- | --- |"]
    for key in reachable:
        mine, other = ours.get(key), their_table.get(key)
        rows.append(f"| `{key}` | {(mine or other).branches} | {mine.branches_run if mine else 0} | "
                    f"{other.branches_run if other else 0} |")
    table = f"### CPython {label}\n\n{text}\n\n" + "\n".join(rows)
    return table, {"version": label, "functions": reachable, "ours": totals["ours"], "theirs": totals["theirs"],
                   "below": below, "summary": text}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", help="a CPython (default: 3.11 and 3.13)")
    parser.add_argument("--fuzz-seconds", type=float, default=60.0)
    parser.add_argument("--markdown", help="also write the results there")
    args = parser.parse_args(argv)
    results = [compare(version, args.fuzz_seconds) for version in args.python or ["3.11", "3.13"]]
    print("\n\n".join(data["summary"] for _, data in results))
    # each version's latest results, the other versions' kept (the mutant benchmark reads them by version)
    earlier = json.loads((OUT / "results.json").read_text()) if (OUT / "results.json").exists() else []
    measured = {data["version"] for _, data in results}
    kept = [entry for entry in earlier if entry["version"] not in measured] + [data for _, data in results]
    write_text(OUT / "results.json", json.dumps(kept, indent=1) + "\n")
    if args.markdown:
        command = "python benchmarks/coverage_vs_test_importlib.py " + " ".join(
            [f"--python {v}" for v in args.python or ["3.11", "3.13"]] + [f"--fuzz-seconds {args.fuzz_seconds:g}"])
        write_text(
            args.markdown,
            "# Branch coverage of importlib's source: this suite and test_importlib\n\nWritten by `%s` (see its "
            "docstring for what is measured); per function of `_bootstrap.py` and `_bootstrap_external.py` that "
            "the five functions reach, the branches each suite runs.\n\n%s\n"
            % (command, "\n\n".join(table for table, _ in results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
