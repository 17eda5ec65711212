"""The command line: `python -m conformance check | fuzz | record | interpreters | matrix | coverage | ...`.

Exit codes: 0 no divergence, 1 divergences, 2 bad usage (a one-line message
naming the option, file or field; never a traceback).
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from conformance._case import CaseFileError, load_cases
from conformance._check import DEFAULT_TIMEOUT, run_check, stderr_progress
from conformance._expectations import ExpectationError, load_expectations, shipped, write_expectations
from conformance._files import WriteError, write_text
from conformance._fuzz_command import FuzzSettings, run_fuzz
from conformance._interpreters import InterpreterError, discover
from conformance._junit import check_junit
from conformance._options import (UsageError, count, expectations_for, ignore_rules, interpreters_for, policy_from,
                                  positive, target_spec)
from conformance._protocol import WorkerError
from conformance._recordings import RecordError, record
from conformance._runtimes import RuntimeInstallError
from conformance._targets import fuzzing_reference
from conformance._versions import parse_version

__all__ = ["main"]

CHANGES_FILE = Path(__file__).resolve().parent.parent / "docs" / "version-changes.md"
POLICY_HELP = ("steer generation: comma-separated none, all, SWITCH, no-SWITCH, LIMIT=N applied to the "
               "default, e.g. 'none,reload,edits,max_steps=6' (see README, Fuzzing); the switch lazy (lazy "
               "imports) is on by default only where every interpreter is CPython 3.15 or later")
IGNORE_HELP = ("an intended difference: field paths matching PATTERN ('*' any characters, '?' one, e.g. "
               "'*.__loader__', 'final.path_importer_cache.*') are set aside, counted, not divergences; repeatable")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m conformance", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="run cases on a target and compare with a reference")
    check.add_argument("--target", required=True, help="stdlib, builtin, impl, impl:3.N, source (importlib from its .py files), source:DIR, a module or a .py file")
    check.add_argument("--reference", default="stdlib",
                       help="like --target, or 'expected' (the recorded CPython observations of the "
                          "interpreter's version) or 'expected:3.N' (those of CPython 3.N)")
    _common(check)
    check.add_argument("--json", metavar="FILE", help="write the full report as JSON")
    check.add_argument("--junit", metavar="FILE", help="write JUnit XML (a test case per case and interpreter)")
    check.add_argument("--ignore", action="append", default=[], metavar="PATTERN", help=IGNORE_HELP)
    check.add_argument("--expectations", metavar="FILE", action="append",
                       help="expected outcomes (TOML or JSON, see README), or the name of one shipped with "
                            "the tool (%s): exit 0 when every outcome is the expected one; a listed case "
                            "that passes or fails otherwise fails the run; repeatable (the files read as "
                            "one, first match wins)" % ", ".join(shipped()))
    check.add_argument("--update-expectations", metavar="FILE",
                       help="write the divergences of this run into FILE (reasons already there are kept)")

    check.add_argument("--fuzz-seconds", type=positive, default=None, metavar="N",
                       help="after the catalogue, fuzz for N seconds (exit 1 if either diverges)")
    check.add_argument("--out", default="findings", metavar="DIR",
                       help="where fuzzer findings are written (default %(default)s)")
    check.add_argument("--seed", type=int, default=None, help="fuzzer seed, for a reproducible campaign")
    check.add_argument("--policy", default="", metavar="ITEMS", help=POLICY_HELP)

    fuzz = commands.add_parser("fuzz", help="generate cases and compare target with reference")
    fuzz.add_argument("--target", required=True, help="stdlib, builtin, impl, impl:3.N, source (importlib from its .py files), source:DIR, a module or a .py file")
    fuzz.add_argument("--reference", default="stdlib", help="like --target (default stdlib)")
    fuzz.add_argument("--across", action="store_true",
                      help="run the target alone on every --python and report where versions differ")
    fuzz.add_argument("--python", action="append", metavar="EXE", help="interpreter path or version; repeatable")
    budget = fuzz.add_mutually_exclusive_group()
    budget.add_argument("--seconds", type=positive, default=None, help="time budget (default 60)")
    budget.add_argument("--examples", type=count, default=None, metavar="N",
                        help="number of generated cases (not counting those run while shrinking)")
    fuzz.add_argument("--first", action="store_true", help="stop at the first divergence (still shrunk and written)")
    fuzz.add_argument("--seed", type=int, default=None, help="seed, for a reproducible campaign")
    fuzz.add_argument("--policy", default="", metavar="ITEMS", help=POLICY_HELP)
    fuzz.add_argument("--out", default="findings", metavar="DIR", help="where findings are written")
    fuzz.add_argument("--json", metavar="FILE", help="write the campaign report as JSON")
    fuzz.add_argument("--junit", metavar="FILE", help="write JUnit XML (a test case per finding)")
    fuzz.add_argument("--expectations", metavar="FILE",
                      help="known differences: a finding whose case and fields an entry covers is counted, "
                           "not reported (entries for generated cases name them by a glob, e.g. 'fuzz.*')")
    fuzz.add_argument("--ignore", action="append", default=[], metavar="PATTERN", help=IGNORE_HELP)
    fuzz.add_argument("--jobs", type=count, default=None, help="workers per interpreter (default: cores + 1)")
    fuzz.add_argument("--timeout", type=positive, default=DEFAULT_TIMEOUT, help="seconds per case and target")
    fuzz.add_argument("--isolation", choices=("inprocess", "fork", "subprocess"), default=None,
                      help="how the search isolates its runs: inprocess (the default: in the workers' own "
                           "processes, the import state restored after each run; every new divergence is "
                           "confirmed with a fresh process per run), fork (a forked process per case, or per run "
                           "for a module target) or subprocess (a fresh interpreter per run)")
    fuzz.add_argument("--process-per-run", action="store_true",
                      help="search with a forked process per run (--isolation fork, and never the reference and "
                           "target of a case in one process)")
    fuzz.add_argument("--guidance", choices=("on", "off"), default="on",
                      help="coverage-guided search (the default, on: inputs that reach branches of importlib no "
                           "earlier input reached are kept and mutated; needs in-process runs) or off (every "
                           "input drawn fresh)")

    record = commands.add_parser("record", help="(re)record expectations on real CPython interpreters")
    _common(record)

    commands.add_parser("interpreters", help="list the interpreters found on PATH and under pyenv")

    runtimes = commands.add_parser("runtimes", help="the WebAssembly runtimes (Pyodide, MicroPython): where they "
                                                    "are looked for and which are installed; `install` them")
    runtimes.add_argument("action", nargs="?", choices=["list", "install"], default="list")
    runtimes.add_argument("names", nargs="*", metavar="RUNTIME",
                          help="pyodide or micropython (one lock pins them all: install installs every one)")

    matrix = commands.add_parser("matrix", help="a table of cases against runs, from check --json reports")
    matrix.add_argument("reports", nargs="+", metavar="REPORT", help="a check --json report; several")
    matrix.add_argument("--markdown", metavar="FILE", help="write Markdown there (default: print it)")
    matrix.add_argument("--html", metavar="FILE", help="also write one self-contained HTML page")

    cover = commands.add_parser("coverage", help="line and branch coverage of importlib's own source (CPython) "
                                "while the catalogue (and the fuzzer) run against the source target")
    cover.add_argument("--python", action="append", metavar="EXE",
                       help="a CPython 3.8+ (path or version); repeatable; default: all CPythons found")
    cover.add_argument("--fuzz-seconds", type=positive, default=0, metavar="N",
                       help="also fuzz the source target for N seconds under coverage")
    cover.add_argument("--corpus", metavar="DIR",
                       help="also run the inputs a guided fuzz campaign kept: its example database, or the folder "
                            "of them (.conformance_cache/hypothesis)")
    cover.add_argument("--jobs", type=count, default=None, help="workers per interpreter (default: cores)")
    cover.add_argument("--out", metavar="DIR", default=".conformance_cache/coverage",
                       help="reports go to DIR/<version>/: coverage.json, html/, functions.md (default: %(default)s)")

    changes = commands.add_parser("changes", help="the version changes the catalogue's recordings show (no "
                                  "interpreter needed): one entry per change, with the cases that show it")
    changes.add_argument("--cases", action="append", metavar="PATH",
                         help="case file or directory; repeatable; default: the catalogue")
    changes.add_argument("--markdown", metavar="FILE", default=str(CHANGES_FILE),
                         help="write the change catalogue there (default: %(default)s)")
    changes.add_argument("--check", action="store_true", help="exit 1 if FILE is out of date")

    spec_map = commands.add_parser("spec-map", help="write the seed-sentence -> case table")
    spec_map.add_argument("--check", action="store_true", help="exit 1 if the table is out of date")
    return parser


def _common(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--python", action="append", metavar="EXE",
                     help="interpreter path or version (3.8, pypy3); repeatable; default: all found")
    sub.add_argument("--cases", action="append", metavar="PATH",
                     help="case file or directory; repeatable; default: the catalogue")
    sub.add_argument("--jobs", type=count, default=None, help="workers per interpreter (default: cores)")
    sub.add_argument("--timeout", type=positive, default=DEFAULT_TIMEOUT,
                     help="seconds per case and target (default %(default)s)")
    sub.add_argument("--isolation", choices=("fork", "subprocess", "inprocess"), default=None,
                     help="isolate each run in a forked child or a fresh process (default: fork if available)")


def _check(args) -> int:
    from conformance._report import divergence_block, json_report, write_json

    target = target_spec("--target", args.target)
    reference = target_spec("--reference", args.reference, allow_recorded=True)
    policy = policy_from(args.policy)
    cases = load_cases(args.cases)
    expectations = expectations_for(args.expectations, cases)
    previous = expectations_for(args.update_expectations, cases, must_exist=False)
    interpreters = interpreters_for(args.python)
    ignore = ignore_rules(args.ignore)
    result = run_check(cases, interpreters, target, reference, args.jobs, args.timeout,
                       progress=stderr_progress, isolation=args.isolation, ignore=ignore, expectations=expectations)
    assessments = result.assessments
    by_id = {case.id: case for case in cases}
    for assessment in assessments:
        verdict = assessment.verdict
        if assessment.kind != "unexpected":
            continue
        if verdict.status == "error":
            print(f"ERROR {verdict.case_id} on {verdict.interpreter}: {verdict.note}\n")
        elif verdict.status == "failed":  # unlisted, listed otherwise, or failing in other fields
            block = divergence_block(verdict.divergence, by_id.get(verdict.case_id), target, reference)
            block += "\n  " + verdict.note if verdict.note else ""  # a patch release unlike its recording
            print(block + ("\n  " + assessment.message if assessment.entry else "") + "\n")
        else:
            print(f"UNEXPECTED {verdict.case_id} on {verdict.interpreter}: {assessment.message}\n")
    print(result.closing_line())
    if args.json:
        write_json(args.json, json_report(result, by_id))
    if args.junit:
        check_junit(args.junit, assessments, target, reference, result.elapsed_seconds)
    if args.update_expectations:
        written = write_expectations(args.update_expectations, result.verdicts, [i.label for i in interpreters],
                                     previous, [case.id for case in cases])
        print(f"wrote {written} expectations to {args.update_expectations}")
    failed = any(a.kind == "unexpected" for a in assessments)
    if args.fuzz_seconds:
        findings = run_fuzz(FuzzSettings(interpreters, target, fuzzing_reference(reference), seconds=args.fuzz_seconds,
                                         seed=args.seed, out=args.out, jobs=args.jobs, timeout=args.timeout,
                                         policy=policy, ignore=ignore, expectations=expectations,
                                         isolation=args.isolation))
        failed = failed or findings
    return 1 if failed else 0


def _fuzz(args) -> int:
    target = target_spec("--target", args.target)
    reference = target_spec("--reference", args.reference)
    interpreters = interpreters_for(args.python)
    policy = policy_from(args.policy, interpreters)
    if args.across and len(interpreters) < 2:
        raise UsageError("--across needs at least two interpreters (--python)")
    if args.process_per_run and args.isolation not in (None, "fork", "subprocess"):
        raise UsageError("--process-per-run: not with --isolation %s (a process per run is fork or subprocess)"
                         % args.isolation)
    seconds = args.seconds if args.seconds is not None or args.examples is not None else 60.0
    found = run_fuzz(FuzzSettings(
        interpreters, target, reference, across=args.across, seconds=seconds, examples=args.examples, seed=args.seed,
        out=args.out, jobs=args.jobs, timeout=args.timeout, policy=policy, first=args.first,
        process_per_run=args.process_per_run, isolation=args.isolation, ignore=ignore_rules(args.ignore),
        expectations=args.expectations and load_expectations(args.expectations), json_file=args.json,
        junit=args.junit, guidance=args.guidance == "on"))
    return 1 if found and not args.across else 0


def _record(args) -> int:
    cases = load_cases(args.cases)
    interpreters = interpreters_for(args.python)
    written = record(cases, interpreters, args.jobs or 2, args.timeout, progress=stderr_progress,
                     isolation=args.isolation)
    for path in written:
        print(f"wrote {path}")
    return 0


def _matrix(args) -> int:
    from conformance._dashboard import render_html
    from conformance._matrix import MatrixError, load_matrix, render_markdown

    try:
        matrix = load_matrix(args.reports)
    except MatrixError as error:
        raise UsageError(str(error))
    text = render_markdown(matrix)
    if args.markdown:
        write_text(args.markdown, text)
        print(f"wrote {args.markdown}")
    else:
        print(text, end="")
    if args.html:
        write_text(args.html, render_html(matrix))
        print(f"wrote {args.html}")
    return 0


def _runtimes(args) -> int:
    from conformance._runtimes import KINDS, cache_dir, install, installed, searched

    unknown = [name for name in args.names if name not in KINDS]
    if unknown:
        raise UsageError("runtimes: unknown runtime %r (known: %s)" % (unknown[0], ", ".join(KINDS)))
    if args.action == "install":
        found = install(lambda line: print(line, file=sys.stderr))
        missing = [name for name in args.names if not any(r.kind == name for r in found)]
        if missing:
            raise UsageError("runtimes install: %s not found in %s after npm ci" % (missing[0], cache_dir()))
    else:
        print("looked for in: %s" % ", ".join(str(p) for p in searched()))
        found = installed()
    for runtime in found:
        name = runtime.kind + (":" + runtime.version if runtime.kind == "pyodide" else "")
        print("%-12s %-10s Python %s  --python %s  (%s)" % (runtime.kind, runtime.version,
                                                           ".".join(map(str, runtime.python)), name, runtime.package))
    if not found:
        print("no runtime installed: python -m conformance runtimes install")
    return 0


def _list_interpreters(_args) -> int:
    from conformance._interpreters import micropython, pyodides

    for interpreter in discover():
        print(f"{interpreter.label:20} {interpreter.path}")
    for interpreter in pyodides():  # not in the default set: name them with --python pyodide:VERSION
        name = "pyodide:" + interpreter.runtime.split()[1]
        print(f"{interpreter.label:20} --python {name} ({interpreter.path})")
    found = micropython()
    if found is not None:
        print(f"{found.label:20} --python micropython ({found.path})")
    return 0


def _coverage(args) -> int:
    from conformance._coverage import CoverageError, corpus_cases, function_table, measure, render_table

    try:
        corpus = corpus_cases(Path(args.corpus)) if args.corpus else None
    except CoverageError as exc:
        raise UsageError(str(exc))
    interpreters = [i for i in interpreters_for(args.python) if args.python or i.implementation == "cpython"]
    for interpreter in interpreters:
        out = Path(args.out) / ".".join(map(str, interpreter.version))
        try:
            table = function_table(measure(interpreter, out, args.fuzz_seconds, args.jobs, progress=stderr_progress,
                                           corpus=corpus))
        except CoverageError as exc:
            raise UsageError(str(exc))
        markdown = render_table(table, [key for key, row in sorted(table.items()) if row.branches or row.lines])
        write_text(out / "functions.md", markdown + "\n")
        print(f"{interpreter.label}: importlib's source run by the catalogue"
              f"{' and the %d cases of the corpus' % len(corpus) if corpus else ''}"
              f"{' and %gs of fuzzing' % args.fuzz_seconds if args.fuzz_seconds else ''}")
        print(markdown.splitlines()[-1].replace("| **total** |", "  total: branches").replace(" | ", ", lines ")
              .rstrip(" |"))
        print(f"  per function: {out / 'functions.md'}; HTML: {out / 'html' / 'index.html'}")
    return 0


def _changes(args) -> int:
    from conformance._changes import changes_from_recordings, render_changes

    cases = load_cases(args.cases)
    changes = changes_from_recordings(cases)
    source = "the recordings of " + (", ".join(args.cases) if args.cases else "the catalogue (conformance/catalogue)")
    text = render_changes(changes, source, None if args.cases else
                          "What each change of 3.14 and 3.15 is, and where it comes from: [newest-versions.md](newest-versions.md).")
    target = Path(args.markdown)
    if args.check:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is out of date: run python -m conformance changes")
            return 1
        return 0
    write_text(target, text)
    boundaries = sorted({c.boundary for c in changes}, key=parse_version)
    print(f"{len(changes)} version changes ({', '.join(f'{sum(c.boundary == b for c in changes)} new in {b}' for b in boundaries)}); wrote {target}")
    return 0


def _spec_map(args) -> int:
    from conformance._spec import SPEC_TABLE, render_table

    text = render_table(load_cases())
    if args.check:
        if not SPEC_TABLE.exists() or SPEC_TABLE.read_text() != text:
            print(f"{SPEC_TABLE} is out of date: run python -m conformance spec-map")
            return 1
        return 0
    write_text(SPEC_TABLE, text)
    print(f"wrote {SPEC_TABLE}")
    return 0


COMMANDS = {"check": _check, "fuzz": _fuzz, "record": _record, "interpreters": _list_interpreters, "runtimes": _runtimes,
            "spec-map": _spec_map, "matrix": _matrix, "coverage": _coverage, "changes": _changes}


class _Terminated(KeyboardInterrupt):
    """SIGTERM: stop as Ctrl-C does (workers and their directories go), then exit 143."""


INTERNAL_ERROR = 3  # the exit code of an exception this tool did not expect
_signalled: list[int] = []  # SIGTERM seen during this main()


def _terminate(signum, frame):
    _signalled.append(signum)
    raise _Terminated()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    _signalled.clear()
    try:
        code = COMMANDS[args.command](args)
        if _signalled:  # a fuzz campaign stops and reports on SIGTERM as on Ctrl-C
            print("terminated", file=sys.stderr)
            return 143
        return code
    except (UsageError, CaseFileError, InterpreterError, WorkerError, RecordError, ExpectationError, WriteError,
            RuntimeInstallError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except _Terminated:
        print("terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head`, say: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:  # a bug of this tool: its own exit code, never taken for "divergences found" (1)
        import traceback

        traceback.print_exc()
        print(f"internal error in `{args.command}` (exit {INTERNAL_ERROR}): a bug of this tool, the traceback "
              "above is what to report", file=sys.stderr)
        return INTERNAL_ERROR
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
