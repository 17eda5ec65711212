"""Broken copies of importlib's source: how many does this suite catch, and how many does test_importlib?

    python benchmarks/importlib_mutants.py [--python 3.11] [--count 40] [--seed 1] [--fuzz-seconds N]
                                           [--markdown FILE]

Each mutant is a copy of the interpreter's Lib/importlib with one small change in _bootstrap.py
or _bootstrap_external.py (a comparison or membership test negated, a boolean operator swapped,
a returned constant flipped, or one simple statement replaced by `pass`), chosen at random with
the seed among the lines where such a change applies inside the functions that the five functions
reach (as benchmarks/coverage_vs_test_importlib.py found them: run it first), and kept only if it
still compiles. Then:
- this suite: `python -m conformance check --target source:MUTANT --python X` (the catalogue
  against the frozen importlib, 1 s per run: a broken module lock hangs every import); caught
  when it exits non-zero (a divergence, or a copy that no longer loads); with --fuzz-seconds N,
  a copy the catalogue misses is then fuzzed for N s (`fuzz --target source:MUTANT --first`, from
  an empty example database, seed 1): caught when the campaign finds a divergence;
- CPython's test_importlib (without test_threaded_import, as in coverage_vs_test_importlib.py)
  with the mutant first on sys.path, so that its source-importlib tests load it; caught when a
  test fails or errors, or the run hangs (over 120 s; it takes 6 s unbroken).
Both run the unchanged copy first: each must pass it, or the comparison means nothing. The
mutants and the results go to .conformance_cache/mutants/<version>/.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.coverage_vs_test_importlib import function_spans, innermost  # noqa: E402
from conformance._coverage import importlib_dir  # noqa: E402
from conformance._files import write_text  # noqa: E402
from conformance._interpreters import resolve  # noqa: E402

OUT = ROOT / ".conformance_cache" / "mutants"
FILES = ("_bootstrap.py", "_bootstrap_external.py")
# (pattern, replacement) applied once to one line
OPERATORS = [
    (r" == ", " != "), (r" != ", " == "), (r" is not ", " is "), (r" is (None|True|False)\b", r" is not \1"),
    (r" not in ", " in "), (r"(?<!not) in (?!range)", " not in "), (r" and ", " or "), (r" or ", " and "),
    (r"\breturn True\b", "return False"), (r"\breturn False\b", "return True"), (r"\bif not ", "if "),
]
SIMPLE_STATEMENT = re.compile(r"^(\s+)(?!(return|raise|yield|def|class|if|elif|else|try|except|finally|for|while|"
                              r"with|import|from|global|nonlocal|pass|@|#|\"|'|\)|\]|\}))[A-Za-z_][^:]*$")


def candidates(text: str) -> list[tuple[int, str]]:
    """(line number, mutated line) for every change the operators allow in a file's code."""
    found = []
    in_docstring = False
    for number, line in enumerate(text.splitlines()):
        if line.count('"""') % 2:  # a docstring opens or closes here
            in_docstring = not in_docstring
            continue
        if in_docstring or not line.startswith("    ") or line.strip().startswith(("#", '"""', "'")):
            continue
        for pattern, replacement in OPERATORS:
            if re.search(pattern, line):
                found.append((number, re.sub(pattern, replacement, line, count=1)))
        match = SIMPLE_STATEMENT.match(line)
        if match and not line.rstrip().endswith(("(", ",", "\\")) and line.count("(") == line.count(")"):
            found.append((number, match.group(1) + "pass"))
    return found


def reachable_functions(label: str) -> set[str]:
    """The functions the five functions reach on this version ("file:Class.method"), as the
    coverage benchmark found them (in either suite's run)."""
    results = ROOT / ".conformance_cache" / "coverage-benchmark" / "results.json"
    found = [entry for entry in json.loads(results.read_text()) if entry["version"] == label] \
        if results.exists() else []
    if not found:
        sys.exit("run benchmarks/coverage_vs_test_importlib.py --python %s first: the mutants are made in the "
                 "functions the five functions reach, which it finds" % label)
    return set(found[0]["functions"])


def make_mutants(source_dir: Path, python: str, count: int, seed: int, out: Path, reachable: set[str]) -> list[dict]:
    """`count` mutant copies of source_dir (each compiling under `python`), described; every
    change is in a function of `reachable`."""
    rng = random.Random(seed)
    pool = []
    for file in FILES:
        text = (source_dir / file).read_text()
        spans = function_spans(text)
        pool += [(file, number, line) for number, line in candidates(text)
                 if "%s:%s" % (file, innermost(spans, number + 1)) in reachable]
    rng.shuffle(pool)
    mutants = []
    for file, number, line in pool:
        if len(mutants) == count:
            break
        directory = out / ("m%03d" % len(mutants)) / "importlib"
        shutil.rmtree(directory.parent, ignore_errors=True)
        shutil.copytree(source_dir, directory, ignore=shutil.ignore_patterns("__pycache__"))
        lines = (source_dir / file).read_text().splitlines(keepends=True)
        original = lines[number]
        lines[number] = line + "\n"
        write_text(directory / file, "".join(lines))
        compiles = subprocess.run([python, "-c", "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')",
                                   str(directory / file)], capture_output=True)
        if compiles.returncode:
            shutil.rmtree(directory.parent)
            continue
        mutants.append({"id": directory.parent.name, "file": file, "line": number + 1,
                        "before": original.strip(), "after": line.strip(), "dir": str(directory)})
    return mutants


def ours(python: str, directory: str) -> bool:
    """True when the catalogue against source:DIR finds a divergence or cannot run."""
    done = subprocess.run([sys.executable, "-m", "conformance", "check", "--target", "source:" + directory,
                           "--python", python, "--timeout", "1", "--jobs", "4"], capture_output=True, text=True,
                          cwd=str(ROOT))
    return done.returncode != 0


def fuzzed(python: str, directory: str, seconds: float, scratch: Path) -> bool:
    """True when `seconds` of fuzzing source:DIR against the frozen importlib finds a divergence
    (run in a directory of its own: an empty example database, no corpus of another copy)."""
    where = scratch / "fuzz"
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    done = subprocess.run([sys.executable, "-m", "conformance", "fuzz", "--target", "source:" + directory,
                           "--python", python, "--seconds", str(seconds), "--first", "--seed", "1", "--timeout", "1",
                           "--out", str(where / "findings")], capture_output=True, text=True, cwd=str(where),
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    shutil.rmtree(where, ignore_errors=True)
    return done.returncode != 0


def theirs(python: str, directory: str, scratch: Path) -> bool:
    """True when test_importlib, with the copy first on sys.path, has a failing test."""
    facts = scratch / "facts.json"
    env = {"PYTHONPATH": str(Path(directory).parent), "PATH": "/usr/bin:/bin"}
    try:
        subprocess.run([python, str(ROOT / "benchmarks" / "_test_importlib_run.py"), str(facts)], env=env,
                       capture_output=True, timeout=120, cwd=str(scratch))  # unbroken: 6 s
    except subprocess.TimeoutExpired:
        return True  # a hang is caught too
    if not facts.exists():
        return True  # the run itself broke
    data = json.loads(facts.read_text())
    facts.unlink()
    return data["failures"] > 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default="3.11")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fuzz-seconds", type=float, default=0,
                        help="fuzz each copy the catalogue misses for this long (default 0: the catalogue only)")
    parser.add_argument("--markdown", help="also write the results there")
    args = parser.parse_args(argv)
    interpreter = resolve(args.python)
    label = ".".join(map(str, interpreter.version))
    out = OUT / label
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    source_dir = Path(importlib_dir(Path(interpreter.path)))
    clean = out / "clean" / "importlib"
    shutil.copytree(source_dir, clean, ignore=shutil.ignore_patterns("__pycache__"))
    if ours(interpreter.path, str(clean)) or theirs(interpreter.path, str(clean), out):
        sys.exit("the unchanged copy does not pass both suites: no comparison possible")
    mutants = make_mutants(source_dir, interpreter.path, args.count, args.seed, out, reachable_functions(label))
    for number, mutant in enumerate(mutants, 1):
        mutant["catalogue"] = ours(interpreter.path, mutant["dir"])
        mutant["ours"] = mutant["catalogue"] or bool(
            args.fuzz_seconds and fuzzed(interpreter.path, mutant["dir"], args.fuzz_seconds, out))
        mutant["theirs"] = theirs(interpreter.path, mutant["dir"], out)
        how = "caught by the catalogue" if mutant["catalogue"] else "caught by fuzzing" if mutant["ours"] else "missed"
        print("%d/%d %s %s:%d %r -> %r: this suite %s, test_importlib %s" % (
            number, len(mutants), mutant["id"], mutant["file"], mutant["line"], mutant["before"], mutant["after"],
            how, "caught" if mutant["theirs"] else "missed"), flush=True)
    write_text(out / "results.json", json.dumps(mutants, indent=1) + "\n")
    both = sum(m["ours"] and m["theirs"] for m in mutants)
    only_ours = [m for m in mutants if m["ours"] and not m["theirs"]]
    only_theirs = [m for m in mutants if m["theirs"] and not m["ours"]]
    suite = "this suite (the catalogue%s)" % (" and %g s of fuzzing per copy it misses" % args.fuzz_seconds
                                              if args.fuzz_seconds else "")
    text = ("CPython %s, %d mutants (seed %d): %s catches %d (the catalogue alone %d), test_importlib %d (both %d, "
            "only this suite %d, only test_importlib %d, neither %d).\nCaught only by test_importlib: %s\n"
            "Caught by neither: %s" % (
                label, len(mutants), args.seed, suite, sum(m["ours"] for m in mutants),
                sum(m["catalogue"] for m in mutants), sum(m["theirs"] for m in mutants),
                both, len(only_ours), len(only_theirs), len(mutants) - both - len(only_ours) - len(only_theirs),
                "; ".join("%s:%d `%s` -> `%s`" % (m["file"], m["line"], m["before"], m["after"])
                          for m in only_theirs) or "none",
                "; ".join("%s:%d `%s` -> `%s`" % (m["file"], m["line"], m["before"], m["after"])
                          for m in mutants if not m["ours"] and not m["theirs"]) or "none"))
    print(text)
    if args.markdown:
        write_text(args.markdown, text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
