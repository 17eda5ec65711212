"""The fuzz command: a campaign run from its settings, each finding printed and written (minimal
case, repro.py, report.md), the closing line, the JSON and JUnit reports, and across versions the
change catalogue. `check --fuzz-seconds` runs it after the catalogue."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from conformance._case import Case, load_cases
from conformance._changes import write_change_catalogue
from conformance._check import DEFAULT_TIMEOUT, ignored_words
from conformance._fuzz import Campaign, default_jobs
from conformance._interpreters import Interpreter
from conformance._junit import fuzz_junit
from conformance._report import divergence_block, fuzz_json_report, write_json
from conformance.reports import finding_title, write_finding
from conformance.strategies import DEFAULT, Policy

__all__ = ["FuzzSettings", "run_fuzz"]


@dataclass
class FuzzSettings:
    """What a campaign is asked to do (the fuzz command's options)."""

    interpreters: list[Interpreter]
    target: str
    reference: str = "stdlib"
    across: bool = False  # the target alone on every interpreter: where versions differ
    seconds: float | None = 60.0  # time budget (with `examples`, the case budget wins)
    examples: int | None = None  # generated cases to run
    seed: int | None = None
    out: str = "findings"  # where findings are written
    jobs: int | None = None  # workers per interpreter (default: cores + 1)
    timeout: float = DEFAULT_TIMEOUT
    policy: Policy = DEFAULT
    first: bool = False  # stop at the first divergence
    process_per_run: bool = False
    isolation: str | None = None  # the search's: inprocess (default), fork or subprocess
    ignore: list = field(default_factory=list)  # IgnoreRules
    expectations: object = None  # an Expectations file
    json_file: str | None = None
    junit: str | None = None
    guidance: bool = True  # coverage-guided search, where the runs are in-process

    @property
    def compared_with(self) -> str:
        """What the target is compared with, in a divergence block's words."""
        return "other versions" if self.across else self.reference


def run_fuzz(settings: FuzzSettings) -> int:
    """Run a campaign, print and write its findings; returns how many there are."""
    campaign = Campaign(settings.interpreters, settings.target, settings.reference, across=settings.across,
                        jobs=settings.jobs or default_jobs(), timeout=settings.timeout, seed=settings.seed,
                        policy=settings.policy, progress=_progress_line(),
                        max_findings=1 if settings.first else None, process_per_run=settings.process_per_run,
                        isolation=settings.isolation,
                        ignore=list(settings.ignore), expectations=settings.expectations,
                        guidance=settings.guidance)
    findings = campaign.run(seconds=settings.seconds if settings.examples is None else None,
                            examples=settings.examples)
    _progress_line.finish()
    written, titles = [], []
    for finding in findings:
        where = write_finding(finding, Path(settings.out), settings.target, settings.reference)
        written.append(str(where))
        titles.append(finding_title(finding, settings.target, settings.compared_with))
        block = divergence_block(finding.divergence, Case(finding.case), settings.target, settings.compared_with)
        head, _, fields = block.partition("\n")
        print("%s\n  %s\n%s" % (head, titles[-1], fields))
        if finding.cause:
            print("  the change vanishes without its %s: one change, whatever it shows first"
                  % " and ".join(finding.cause))
        if finding.absorbed:
            print("  the same difference also through: %s (%d more signatures, one root cause; report.md "
                  "lists each with its case)" % (", ".join(sorted({str(a.signature[0]) for a in finding.absorbed})),
                                                 len(finding.absorbed)))
        print("  minimal case, repro.py and report.md: %s\n" % where)
    judge = campaign.judge
    rate = campaign.cases_run / campaign.elapsed_seconds if campaign.elapsed_seconds else 0.0
    ignored = ", " + ignored_words(judge.ignored_differences, judge.ignored_cases) if judge.ignored_differences else ""
    if judge.expected_divergences:
        ignored += ", %d divergences expected by %s" % (judge.expected_divergences, settings.expectations.path)
    print("fuzz: %d cases in %.1fs (%.0f cases/s), %d distinct divergences%s%s"
          % (campaign.cases_run, campaign.elapsed_seconds, rate, len(findings), ignored,
             "".join(", " + part for part in campaign.counts.parts())))
    if campaign.guide is not None:
        print("fuzz: guided by %d branches of importlib reached (%s); corpus %d inputs"
              % (campaign.guide.total, ", ".join("%s %d" % (label, n) for label, n
                                                  in campaign.guide.report()["branches"].items()),
                 len(campaign.guide.entries)))
        if campaign.guide.damaged:
            print("fuzz: warning: skipped %d damaged corpus entries of the example database (removed)"
                  % campaign.guide.damaged, file=sys.stderr)
    elif settings.guidance:
        print("fuzz: unguided: the runs are not in-process (--isolation %s), and only in-process runs report "
              "the branches they reach" % campaign.isolation)
    if settings.across and findings:
        out = Path(settings.out)
        found, known = write_change_catalogue(findings, out, load_cases())
        print(f"fuzz --across: {found} version changes ({known} also in the catalogue's, {found - known} not); "
              f"{judge.known_changes_seen} more cases only showed one found already; change catalogue: "
              f"{out / 'changes.md'}")
    if judge.unconfirmed:
        print("fuzz: %d divergences seen in a shared process did not recur with a fresh process per run: "
              "the worker's restore of the import state missed something (please report)" % judge.unconfirmed)
    if settings.json_file:
        write_json(settings.json_file, fuzz_json_report(settings, campaign, findings, written, titles))
    if settings.junit:
        fuzz_junit(settings.junit, findings, settings.target, settings.compared_with,
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
        text = "fuzz: %(cases)d cases, %(cases_per_second).0f/s, %(signatures)d signatures" % state
        if state.get("branches") is not None:
            text += ", %d branches" % state["branches"]
        text += "".join(", " + part for part in state["counts"].parts())
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
