"""How much of importlib's own source the suite runs: `python -m conformance coverage`.

The catalogue (and, if asked, the corpus a guided fuzz campaign saved, and the fuzzer for a
budget) runs against the `source` target, importlib
executed from the interpreter's `.py` files, while coverage.py traces `importlib/__init__.py`,
`_bootstrap.py` and `_bootstrap_external.py` in the worker. coverage.py is installed into a
virtual environment of the interpreter under test (never into the interpreter itself), under
.conformance_cache/coverage/<version>/. Only what the cases run counts: loading the target is
traced under another context and left out.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conformance._interpreters import Interpreter, probe

__all__ = ["COVERAGE_PIN", "FILES", "FunctionCoverage", "corpus_cases", "coverage_python", "function_table",
           "measure", "render_table"]

COVERAGE_PIN = "coverage==7.6.1"  # the newest coverage.py that runs on 3.8 and has per-function reports
FILES = ("__init__.py", "_bootstrap.py", "_bootstrap_external.py")
CACHE = Path(".conformance_cache") / "coverage"


class CoverageError(Exception):
    """coverage.py cannot be installed or run for this interpreter (one line for the user)."""


@dataclass
class FunctionCoverage:
    """One function of importlib's source: where it is and the branches (arcs) one suite ran."""

    file: str
    name: str
    branches: int
    branches_run: int
    lines: int
    lines_run: int


def coverage_python(interpreter: Interpreter, cache: Path = CACHE) -> Path:
    """The python of a virtual environment of `interpreter` with coverage.py in it (made once)."""
    if interpreter.implementation != "cpython" or not interpreter.native:
        raise CoverageError(f"--python {interpreter.label}: coverage of importlib's source needs native CPython")
    venv = cache / ".".join(map(str, interpreter.version)) / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        made = subprocess.run([interpreter.path, "-m", "venv", str(venv)], capture_output=True, text=True)
        if made.returncode:
            shutil.rmtree(venv, ignore_errors=True)
            raise CoverageError(f"could not make a virtual environment of {interpreter.label}: "
                                f"{made.stderr.strip().splitlines()[-1:]}")
    have = subprocess.run([str(python), "-c", "import coverage; print(coverage.__version__)"],
                          capture_output=True, text=True)
    if have.returncode or have.stdout.strip() != COVERAGE_PIN.split("==")[1]:
        got = subprocess.run([str(python), "-m", "pip", "install", "-q", COVERAGE_PIN], capture_output=True, text=True)
        if got.returncode:
            raise CoverageError(f"pip could not install {COVERAGE_PIN} for {interpreter.label}: "
                                f"{(got.stderr.strip().splitlines() or ['?'])[-1]}")
    return python.absolute()


def corpus_cases(directory: Path) -> list:
    """The inputs of the corpora saved under `directory` (an example database, or the folder of
    them), each decoded with its campaign's policy into a Case. Raises CoverageError if none."""
    from conformance._case import Case
    from conformance._guidance import saved_corpora
    from conformance.strategies import Policy, generated_case

    try:
        corpora = saved_corpora(directory)
    except (OSError, ValueError) as exc:
        raise CoverageError(f"--corpus {directory}: {exc}")
    cases = {}
    for policy, inputs in corpora:
        try:
            decode = Policy(**policy)
        except TypeError:  # a policy of another version of this tool
            continue
        for data in inputs:
            case = generated_case(decode, data)
            cases[case["id"]] = Case(case)
    if not cases:
        raise CoverageError(f"--corpus {directory}: no corpus this version of the tool can decode")
    return list(cases.values())


def importlib_dir(python: Path) -> str:
    """The directory of the interpreter's importlib source files."""
    return subprocess.run([str(python), "-S", "-c", "import importlib, os; print(os.path.dirname(importlib.__file__))"],
                          capture_output=True, text=True, check=True).stdout.strip()


def measure(interpreter: Interpreter, out: Path, fuzz_seconds: float = 0, jobs: int | None = None,
            progress=None, corpus: list | None = None) -> dict:
    """Run the catalogue (then the cases of `corpus`, a guided campaign's inputs decoded, and
    fuzz_seconds of fuzzing) against `source` under coverage; write out/coverage.json
    (coverage.py's JSON report, functions included) and out/html/. Returns that JSON report."""
    from conformance._case import load_cases
    from conformance._check import run_check

    python = coverage_python(interpreter)
    source = importlib_dir(python)
    data = (out / "data").absolute()
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    saved = {key: os.environ.get(key) for key in ("CONFORMANCE_COVERAGE", "CONFORMANCE_COVERAGE_INCLUDE")}
    os.environ["CONFORMANCE_COVERAGE"] = str(data)
    os.environ["CONFORMANCE_COVERAGE_INCLUDE"] = os.pathsep.join(os.path.join(source, name) for name in FILES)
    try:
        measured = probe(str(python))
        result = run_check(load_cases(), [measured], "source", "stdlib", jobs, progress=progress)
        if result.count("failed") or result.count("error"):
            raise CoverageError(f"the catalogue is not clean against source on {interpreter.label}: "
                                "run `check --target source` first")
        if corpus:  # what they observe is not judged here: only what they run
            run_check(corpus, [measured], "source", "stdlib", jobs, progress=progress)
        if fuzz_seconds:
            from conformance._fuzz import Campaign, default_jobs

            Campaign([measured], "source", "stdlib", jobs=jobs or default_jobs()).run(seconds=fuzz_seconds)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return report(python, data, out, contexts="case")


def report(python: Path, data: Path, out: Path, contexts: str | None = None) -> dict:
    """Combine the data files in `data`, then coverage.py's JSON report (restricted to the
    contexts matching the regex `contexts`, if given) and an HTML report under out/html."""
    combined = data / ".coverage"
    files = [str(path) for path in data.glob(".coverage.*")]
    if not files:
        raise CoverageError(f"no coverage data was written under {data}")
    run = [str(python), "-m", "coverage"]
    subprocess.run(run + ["combine", "--quiet", f"--data-file={combined}", *files], check=True)
    select = [f"--contexts={contexts}"] if contexts else []
    subprocess.run(run + ["json", "--quiet", f"--data-file={combined}", "-o", str(out / "coverage.json"), *select],
                   check=True)
    subprocess.run(run + ["html", "--quiet", f"--data-file={combined}", "-d", str(out / "html"), *select], check=True)
    return json.loads((out / "coverage.json").read_text())


def function_table(report: dict) -> dict[str, FunctionCoverage]:
    """Per function of _bootstrap.py and _bootstrap_external.py: lines and branches run.
    Module-level code (coverage.py's function "") is left out."""
    table = {}
    for path, entry in report["files"].items():
        file = os.path.basename(path)
        if file not in FILES[1:]:
            continue
        for name, function in entry.get("functions", {}).items():
            if not name:
                continue
            summary = function["summary"]
            table[f"{file}:{name}"] = FunctionCoverage(
                file, name, summary.get("num_branches", 0), summary.get("covered_branches", 0),
                summary["num_statements"], summary["covered_lines"])
    return table


def render_table(table: dict[str, FunctionCoverage], keys=None) -> str:
    """A Markdown table of the given functions (default all), with a total line."""
    keys = sorted(table) if keys is None else keys
    lines = ["| function | branches run | lines run |", "| --- | --- | --- |"]
    total_b = total_br = total_l = total_lr = 0
    for key in keys:
        row = table[key]
        lines.append(f"| `{key}` | {row.branches_run}/{row.branches} | {row.lines_run}/{row.lines} |")
        total_b, total_br = total_b + row.branches, total_br + row.branches_run
        total_l, total_lr = total_l + row.lines, total_lr + row.lines_run
    lines.append(f"| **total** | {total_br}/{total_b} ({_percent(total_br, total_b)}) | "
                 f"{total_lr}/{total_l} ({_percent(total_lr, total_l)}) |")
    return "\n".join(lines)


def _percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"

