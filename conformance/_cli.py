"""The command line: `python -m conformance check | fuzz | matrix | interpreters | record | spec-map`.

Exit codes: 0 no divergence, 1 divergences, 2 bad usage (a one-line message
naming the option, file or field; never a traceback).
"""
from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from pathlib import Path

from conformance._case import Case, CaseFileError, load_cases
from conformance._check import DEFAULT_TIMEOUT, run_check, stderr_progress, worker_counts
from conformance._expectations import ExpectationError, judge, load_expectations, write_expectations
from conformance._expected import RecordError, record
from conformance._junit import check_junit, fuzz_junit
from conformance._interpreters import InterpreterError, discover, resolve
from conformance._protocol import WorkerError

__all__ = ["main"]

CHANGES_FILE = Path(__file__).resolve().parent.parent / "docs" / "version-changes.md"
BUILT_IN_TARGETS = ("stdlib", "builtin", "impl", "source")
POLICY_HELP = ("steer generation: comma-separated none, all, SWITCH, no-SWITCH, LIMIT=N applied to the "
               "default, e.g. 'none,reload,edits,max_steps=6' (see README, Fuzzing)")
IGNORE_HELP = ("an intended difference: field paths matching PATTERN ('*' any characters, '?' one, e.g. "
               "'*.__loader__', 'final.path_importer_cache.*') are set aside, counted, not divergences; repeatable")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit 2."""


def _target(option: str, spec: str, allow_expected: bool = False) -> str:
    if spec in BUILT_IN_TARGETS or (allow_expected and spec == "expected"):
        return spec
    if re.match(r"^impl:3\.\d+$", spec) or (allow_expected and re.match(r"^expected:3\.\d+$", spec)):
        return spec
    if spec.startswith("source:"):
        directory = Path(spec.partition(":")[2])
        if not (directory / "_bootstrap.py").is_file():
            raise UsageError(f"{option} {spec}: {directory} is not a copy of importlib's directory (no _bootstrap.py)")
        return f"source:{directory.resolve()}"
    if spec.endswith(".py") or "/" in spec:
        path = Path(spec)
        if not path.is_file():
            raise UsageError(f"{option} {spec}: no such file")
        return str(path.resolve())
    if _DOTTED.match(spec):
        return spec
    raise UsageError(f"{option} {spec}: expected stdlib, builtin, impl, impl:3.N, source, source:DIR, "
                     f"{'expected, expected:3.N, ' if allow_expected else ''}a dotted module name or a .py file")


def _interpreters(specs: list[str] | None, progress: bool = True):
    discovered = discover()
    if specs:
        return [resolve(spec, discovered) for spec in specs]
    if not discovered:
        raise UsageError("no Python >= 3.8 found on PATH or under pyenv; name one with --python")
    if progress:
        stderr_progress("interpreters: " + ", ".join(i.label for i in discovered))
    return discovered


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def _count(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of at least 1, got %r" % text)
    return int(text)


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
    check.add_argument("--expectations", metavar="FILE",
                       help="expected outcomes (TOML or JSON, see README): exit 0 when every outcome is "
                            "the expected one; a listed case that passes or fails otherwise fails the run")
    check.add_argument("--update-expectations", metavar="FILE",
                       help="write the divergences of this run into FILE (reasons already there are kept)")

    check.add_argument("--fuzz-seconds", type=_positive, default=None, metavar="N",
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
    budget.add_argument("--seconds", type=_positive, default=None, help="time budget (default 60)")
    budget.add_argument("--examples", type=_count, default=None, metavar="N",
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
    fuzz.add_argument("--jobs", type=_count, default=None, help="workers per interpreter (default: cores + 1)")
    fuzz.add_argument("--timeout", type=_positive, default=DEFAULT_TIMEOUT, help="seconds per case and target")
    fuzz.add_argument("--process-per-run", action="store_true",
                      help="search with a forked process per run; by default, with a stdlib, builtin or impl "
                           "reference, each case's reference and target share one (the import state restored "
                           "between them) and divergences are confirmed with a process per run")

    record = commands.add_parser("record", help="(re)record expectations on real CPython interpreters")
    _common(record)

    commands.add_parser("interpreters", help="list the interpreters found on PATH and under pyenv")

    matrix = commands.add_parser("matrix", help="a table of cases against runs, from check --json reports")
    matrix.add_argument("reports", nargs="+", metavar="REPORT", help="a check --json report; several")
    matrix.add_argument("--markdown", metavar="FILE", help="write Markdown there (default: print it)")
    matrix.add_argument("--html", metavar="FILE", help="also write one self-contained HTML page")

    cover = commands.add_parser("coverage", help="line and branch coverage of importlib's own source (CPython) "
                                "while the catalogue (and the fuzzer) run against the source target")
    cover.add_argument("--python", action="append", metavar="EXE",
                       help="a CPython 3.8+ (path or version); repeatable; default: all CPythons found")
    cover.add_argument("--fuzz-seconds", type=_positive, default=0, metavar="N",
                       help="also fuzz the source target for N seconds under coverage")
    cover.add_argument("--jobs", type=_count, default=None, help="workers per interpreter (default: cores)")
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
    sub.add_argument("--jobs", type=_count, default=None, help="workers per interpreter (default: cores)")
    sub.add_argument("--timeout", type=_positive, default=DEFAULT_TIMEOUT,
                     help="seconds per case and target (default %(default)s)")
    sub.add_argument("--isolation", choices=("fork", "subprocess", "inprocess"), default=None,
                     help="isolate each run in a forked child or a fresh process (default: fork if available)")


def _check(args) -> int:
    from conformance._report import divergence_block, json_report, summary_line

    target = _target("--target", args.target)
    reference = _target("--reference", args.reference, allow_expected=True)
    policy = _policy(args.policy)
    cases = load_cases(args.cases)
    expectations = _expectations(args.expectations, cases)
    previous = _expectations(args.update_expectations, cases, must_exist=False)
    interpreters = _interpreters(args.python)
    result = run_check(cases, interpreters, target, reference, args.jobs, args.timeout,
                       progress=stderr_progress, isolation=args.isolation, ignore=_ignore(args.ignore),
                       skip=expectations.skips if expectations else None)
    judgements = [judge(verdict, expectations) for verdict in result.verdicts]
    by_id = {case.id: case for case in cases}
    for judgement in judgements:
        verdict = judgement.verdict
        if judgement.kind != "unexpected":
            continue
        if verdict.status == "error":
            print(f"ERROR {verdict.case_id} on {verdict.interpreter}: {verdict.note}\n")
        elif verdict.status == "failed":  # unlisted, listed otherwise, or failing in other fields
            block = divergence_block(verdict.divergence, by_id.get(verdict.case_id), target, reference)
            print(block + ("\n  " + judgement.message if judgement.entry else "") + "\n")
        else:
            print(f"UNEXPECTED {verdict.case_id} on {verdict.interpreter}: {judgement.message}\n")
    print(summary_line(result, judgements, expectations.path if expectations else None))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(json_report(result, by_id, judgements), indent=1) + "\n")
    if args.junit:
        check_junit(args.junit, judgements, target, reference, result.elapsed_seconds)
    if args.update_expectations:
        count = write_expectations(args.update_expectations, result.verdicts, [i.label for i in interpreters],
                                   previous, [case.id for case in cases])
        print(f"wrote {count} expectations to {args.update_expectations}")
    failed = any(j.kind == "unexpected" for j in judgements)
    if args.fuzz_seconds:
        live = "stdlib" if reference.startswith("expected") else reference  # fuzzing needs a live side
        findings = _run_fuzz(interpreters, target, live,
                             False, args.fuzz_seconds, None, args.seed, args.out, args.jobs,
                             args.timeout, None, policy, ignore=_ignore(args.ignore), expectations=expectations)
        failed = failed or findings
    return 1 if failed else 0


def _expectations(path: str | None, cases: list[Case], must_exist: bool = True):
    """The expectation file at `path` (None if no path, or if it need not exist and does not),
    checked against the run's cases."""
    if path is None or (not must_exist and not Path(path).exists()):
        return None
    expectations = load_expectations(path)
    if must_exist:  # a file to be rewritten keeps the entries of cases this run does not have
        expectations.check_cases(case.id for case in cases)
    return expectations


def _ignore(patterns: list[str]):
    from conformance._compare import IgnoreRule

    for pattern in patterns:
        if not pattern.strip():
            raise UsageError("--ignore: an empty pattern would match nothing")
    return [IgnoreRule(pattern, "--ignore") for pattern in patterns]


def _policy(text: str):
    from strategies import parse_policy

    try:
        return parse_policy(text)
    except ValueError as exc:
        raise UsageError(f"--policy: {exc}")


def _run_fuzz(interpreters, target, reference, across, seconds, examples, seed, out, jobs,
              timeout, json_file, policy, first=False, process_per_run=False, ignore=(), expectations=None,
              junit=None) -> int:
    """Run a campaign, print and write its findings; returns how many there are."""
    from conformance._fuzz import Campaign, default_jobs
    from conformance._report import divergence_block
    from reports import write_finding
    from strategies import describe_policy

    campaign = Campaign(interpreters, target, reference, across=across, jobs=jobs or default_jobs(),
                        timeout=timeout, seed=seed, policy=policy, progress=_progress_line(),
                        max_findings=1 if first else None, share_process=not process_per_run,
                        ignore=list(ignore), expectations=expectations)
    findings = campaign.run(seconds=seconds if examples is None else None, examples=examples)
    _progress_line.finish()
    written = []
    for finding in findings:
        where = write_finding(finding, Path(out), target, reference)
        written.append(str(where))
        print(divergence_block(finding.divergence, Case(finding.case), target,
                               reference if not across else "other versions"))
        if finding.cause:
            print("  the change vanishes without its %s: one change, whatever it shows first"
                  % " and ".join(finding.cause))
        if finding.absorbed:
            print("  the same difference also through: %s (%d more signatures, one root cause)"
                  % (", ".join(sorted({str(signature[0]) for signature in finding.absorbed})), len(finding.absorbed)))
        print("  minimal case, repro.py and report.md: %s\n" % where)
    rate = campaign.cases_run / campaign.elapsed_seconds if campaign.elapsed_seconds else 0.0
    ignored = (", %d intended differences ignored in %d cases" % (campaign.ignored_differences, campaign.ignored_cases)
               if campaign.ignored_differences else "")
    if campaign.expected_divergences:
        ignored += ", %d divergences expected by %s" % (campaign.expected_divergences, expectations.path)
    print("fuzz: %d cases in %.1fs (%.0f cases/s), %d distinct divergences%s%s"
          % (campaign.cases_run, campaign.elapsed_seconds, rate, len(findings), ignored,
             "".join(", " + part for part in worker_counts(campaign.worker_restarts, campaign.crashed_runs))))
    if across and findings:
        _change_catalogue(findings, Path(out), campaign.known_changes_seen)
    if campaign.unconfirmed:
        print("fuzz: %d divergences seen with a shared process did not recur with a process per run: "
              "the worker's restore of the import state missed something (please report)" % campaign.unconfirmed)
    if json_file:
        Path(json_file).parent.mkdir(parents=True, exist_ok=True)
        Path(json_file).write_text(json.dumps({
            "interpreters": [i.to_json() for i in interpreters], "target": target,
            "reference": None if across else reference, "across": across,
            "cases": campaign.cases_run, "elapsed_seconds": round(campaign.elapsed_seconds, 3),
            "cases_per_second": round(rate, 1), "policy": describe_policy(policy),
            "shared_process": campaign.shares_process, "unconfirmed": campaign.unconfirmed,
            "worker_restarts": campaign.worker_restarts, "retried_runs": campaign.retried_runs,
            "crashed_runs": campaign.crashed_runs,
            "ignore_rules": [{"pattern": rule.pattern, "reason": rule.reason} for rule in campaign.ignore_rules],
            "ignored_differences": campaign.ignored_differences, "ignored_cases": campaign.ignored_cases,
            "expected_divergences": campaign.expected_divergences,
            "divergences": [{"signature": list(map(str, f.signature)), "case": f.case, "written": w,
                             "absorbed": [list(map(str, signature)) for signature in f.absorbed],
                             "interpreters": [i.label for i in f.interpreters],
                             "reproduces_on": f.reproduces_on, "passes_on": f.passes_on,
                             "groups": [{"interpreters": g[0]} for g in f.groups], "cause": list(f.cause),
                             "differences": [{"path": d.path, "target": d.target, "reference": d.reference}
                                             for d in f.divergence.differences]}
                            for f, w in zip(findings, written)],
        }, indent=1) + "\n")
    if junit:
        fuzz_junit(junit, findings, target, reference if not across else "other versions",
                   campaign.elapsed_seconds, campaign.cases_run)
    return len(findings)


class _ProgressLine:
    """A live line on a terminal (cases, cases/s, divergences, signatures); on anything else,
    a line every ten seconds."""

    def __init__(self):
        self._last = 0.0
        self._shown = False

    def __call__(self):
        return self.update

    def update(self, state: dict) -> None:
        import time

        text = "fuzz: %(cases)d cases, %(cases_per_second).0f/s, %(signatures)d signatures" % state
        text += "".join(", " + part for part in worker_counts(state.get("worker_restarts", 0),
                                                             state.get("crashed_runs", 0)))
        if sys.stderr.isatty():
            sys.stderr.write("\r" + text + " " * 8)
            sys.stderr.flush()
            self._shown = True
        elif time.monotonic() - self._last > 10:
            self._last = time.monotonic()
            print(text, file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            self._shown = False


_progress_line = _ProgressLine()


def _fuzz(args) -> int:
    policy = _policy(args.policy)
    target = _target("--target", args.target)
    reference = _target("--reference", args.reference)
    interpreters = _interpreters(args.python)
    if args.across and len(interpreters) < 2:
        raise UsageError("--across needs at least two interpreters (--python)")
    seconds = args.seconds if args.seconds is not None or args.examples is not None else 60.0
    found = _run_fuzz(interpreters, target, reference, args.across, seconds, args.examples, args.seed,
                      args.out, args.jobs, args.timeout, args.json, policy, args.first, args.process_per_run,
                      ignore=_ignore(args.ignore), expectations=args.expectations and load_expectations(args.expectations),
                      junit=args.junit)
    return 1 if found and not args.across else 0


def _record(args) -> int:
    cases = load_cases(args.cases)
    interpreters = _interpreters(args.python)
    written = record(cases, interpreters, args.jobs or 2, args.timeout, progress=stderr_progress,
                     isolation=args.isolation)
    for path in written:
        print(f"wrote {path}")
    return 0


def _matrix(args) -> int:
    from conformance._matrix import MatrixError, load_matrix, render_html, render_markdown

    try:
        matrix = load_matrix(args.reports)
    except MatrixError as error:
        raise UsageError(str(error))
    text = render_markdown(matrix)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(text, encoding="utf-8")
        print(f"wrote {args.markdown}")
    else:
        print(text, end="")
    if args.html:
        Path(args.html).parent.mkdir(parents=True, exist_ok=True)
        Path(args.html).write_text(render_html(matrix), encoding="utf-8")
        print(f"wrote {args.html}")
    return 0


def _list_interpreters(_args) -> int:
    from conformance._runtimes import micropython, pyodides

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
    from conformance._coverage import CoverageError, function_table, measure, render_table

    interpreters = [i for i in _interpreters(args.python) if args.python or i.implementation == "cpython"]
    for interpreter in interpreters:
        out = Path(args.out) / ".".join(map(str, interpreter.version))
        try:
            table = function_table(measure(interpreter, out, args.fuzz_seconds, args.jobs, progress=stderr_progress))
        except CoverageError as exc:
            raise UsageError(str(exc))
        markdown = render_table(table, [key for key, row in sorted(table.items()) if row.branches or row.lines])
        (out / "functions.md").write_text(markdown + "\n")
        print(f"{interpreter.label}: importlib's source run by the catalogue"
              f"{' and %gs of fuzzing' % args.fuzz_seconds if args.fuzz_seconds else ''}")
        print(markdown.splitlines()[-1].replace("| **total** |", "  total: branches").replace(" | ", ", lines ")
              .rstrip(" |"))
        print(f"  per function: {out / 'functions.md'}; HTML: {out / 'html' / 'index.html'}")
    return 0


def _change_catalogue(findings, out: Path, repeats: int) -> None:
    """The report of a cross-version campaign: its changes, each marked as in the catalogue's
    change list (docs/version-changes.md: the recordings of hand-written cases) or new there."""
    from conformance._changes import changes_from_findings, changes_from_recordings, render_changes

    found = changes_from_findings(findings)
    recorded = changes_from_recordings(load_cases())
    for change in found:
        twin = next((known for known in recorded if known.matches(change)), None)
        change.description = ("also in the catalogue's changes: " + twin.cases[0]) if twin else "not in the catalogue"
    out.mkdir(parents=True, exist_ok=True)
    (out / "changes.md").write_text(render_changes(found, "a fuzz --across campaign (minimal cases under this "
                                                   "directory)"))
    known = sum(change.description != "not in the catalogue" for change in found)
    print(f"fuzz --across: {len(found)} version changes ({known} also in the catalogue's, {len(found) - known} not); "
          f"{repeats} more cases only showed one found already; change catalogue: {out / 'changes.md'}")


def _changes(args) -> int:
    from conformance._changes import changes_from_recordings, render_changes

    cases = load_cases(args.cases)
    changes = changes_from_recordings(cases)
    source = "the recordings of " + (", ".join(args.cases) if args.cases else "the catalogue (conformance/catalogue)")
    text = render_changes(changes, source)
    target = Path(args.markdown)
    if args.check:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is out of date: run python -m conformance changes")
            return 1
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    boundaries = sorted({c.boundary for c in changes}, key=lambda b: tuple(map(int, b.split("."))))
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
    SPEC_TABLE.write_text(text)
    print(f"wrote {SPEC_TABLE}")
    return 0


COMMANDS = {"check": _check, "fuzz": _fuzz, "record": _record, "interpreters": _list_interpreters,
            "spec-map": _spec_map, "matrix": _matrix, "coverage": _coverage, "changes": _changes}


class _Terminated(KeyboardInterrupt):
    """SIGTERM: stop as Ctrl-C does (workers and their directories go), then exit 143."""


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
    except (UsageError, CaseFileError, InterpreterError, WorkerError, RecordError, ExpectationError) as exc:
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
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
