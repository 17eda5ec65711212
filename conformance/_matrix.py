"""Results matrix: the JSON reports of several `check` runs (implementations, versions, targets)
as one table of cases, grouped by area, against the runs' columns: first a summary row per
column (implementation and version: pass rate and counts), then areas with a pass rate per
column, then the cases. Markdown here, for a README or a pull request; the HTML page (the same
summary as a dashboard, areas opening to their cases) is conformance/_dashboard.py."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Matrix", "MatrixError", "load_matrix", "render_markdown", "STATUSES"]

STATUSES = ("pass", "fail", "expected fail", "skipped", "unsupported", "error")
_SYMBOL = {"pass": "✓", "fail": "✗", "expected fail": "xfail", "skipped": "skip", "unsupported": "unsup",
           "error": "error", None: ""}


class MatrixError(Exception):
    """A report that cannot be read as a check report: one line naming the file."""


@dataclass
class Column:
    """One interpreter of one run: its cells by case id, and the differing fields of failures."""

    title: str
    source: str
    implementation: str = ""  # the interpreter's label: "pypy 3.9.16", "cpython 3.14.2 (pyodide 314.0.8)"
    target: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    fields: dict[str, list[dict]] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        counts = {status: 0 for status in STATUSES}
        for status in self.cells.values():
            counts[status] += 1
        return counts

    def rate(self, cases: list[str] | None = None) -> tuple[int, int]:
        """(passed, run) over `cases` (default all): run counts every case that ran (passed,
        failed, expected to fail, error), not those skipped or unsupported."""
        statuses = [self.cells.get(c) for c in (self.cells if cases is None else cases)]
        ran = [s for s in statuses if s not in (None, "skipped", "unsupported")]
        return sum(1 for s in ran if s == "pass"), len(ran)


def percent(passed: int, run: int) -> str:
    """A pass rate as the pages show it: one decimal, or a dash when nothing ran."""
    return "%.1f%%" % (100.0 * passed / run) if run else "-"


def shown_path(path: str | Path) -> str:
    """A report's path relative to the working directory where it lies below it, else as given."""
    relative = os.path.relpath(os.path.abspath(path))
    return str(path) if relative.startswith("..") else relative


@dataclass
class Matrix:
    columns: list[Column]
    cases: list[str]  # every case id of any column, in first-seen order

    def areas(self) -> dict[str, list[str]]:
        """Case ids by area (the part of the id before its first dot)."""
        grouped: dict[str, list[str]] = {}
        for case in self.cases:
            grouped.setdefault(case.split(".", 1)[0], []).append(case)
        return grouped


def _cell(verdict: dict) -> str:
    if verdict.get("judgement") == "expected":
        return "expected fail"
    return {"passed": "pass", "failed": "fail", "skipped": "skipped"}.get(verdict["status"], verdict["status"])


def load_matrix(paths: list[str | Path]) -> Matrix:
    """Read check reports (`check --json`); MatrixError names the first file that is not one."""
    columns, cases = [], {}
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise MatrixError("%s: cannot read a JSON report: %s" % (path, getattr(error, "strerror", None) or error))
        if not isinstance(data, dict) or not isinstance(data.get("verdicts"), list):
            raise MatrixError("%s: not a check report with verdicts (write one with check --json; fuzz reports "
                              "have no per-case verdicts)" % path)
        by_interpreter: dict[str, Column] = {}
        for verdict in data["verdicts"]:
            label = verdict["interpreter"]
            if label not in by_interpreter:
                target = Path(data["target"]).name if "/" in data["target"] else data["target"]
                by_interpreter[label] = Column("%s on %s" % (target, label), shown_path(path), label, target)
            column = by_interpreter[label]
            column.cells[verdict["case"]] = _cell(verdict)
            note = verdict.get("message") or verdict.get("note")
            if note:
                column.notes[verdict["case"]] = note
            cases.setdefault(verdict["case"], None)
        for divergence in data.get("divergences", []):
            case = divergence["case"]["id"] if isinstance(divergence["case"], dict) else divergence["case"]
            column = by_interpreter.get(divergence["interpreter"])
            if column is not None:
                column.fields[case] = divergence["differences"]
        columns.extend(by_interpreter.values())
    return Matrix(columns, list(cases))


def render_markdown(matrix: Matrix) -> str:
    """The summary (a row per column: pass rate and counts), a row per area (its pass rate per
    column), then every case that fails (expected or not) or errs in some column."""
    lines = ["# Conformance matrix", "", "Reports: %s" % ", ".join(dict.fromkeys(c.source for c in matrix.columns)),
             "", "| implementation | target | pass rate | passed | expected failures | failures | errors | "
                 "unsupported | skipped |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for column in matrix.columns:
        totals = column.totals()
        lines.append("| %s | %s | %s | %d | %d | %d | %d | %d | %d |" % (
            column.implementation, column.target, percent(*column.rate()), totals["pass"], totals["expected fail"],
            totals["fail"], totals["error"], totals["unsupported"], totals["skipped"]))
    head = "| | " + " | ".join(c.title for c in matrix.columns) + " |"
    rule = "| --- |" + " --- |" * len(matrix.columns)
    lines += ["", "## By area (pass rate: passed / run)", "", head, rule]
    for area, cases in matrix.areas().items():
        lines.append("| %s | %s |" % (area, " | ".join(
            "%s (%d / %d)" % ((percent(*column.rate(cases)),) + column.rate(cases)) for column in matrix.columns)))
    others = [case for case in matrix.cases
              if any(column.cells.get(case) not in (None, "pass", "skipped", "unsupported") for column in matrix.columns)]
    lines += ["", "## Cases that fail somewhere (expected or not) or err", ""]
    if not others:
        lines.append("None.")
    else:
        lines += [head, rule]
        for case in others:
            lines.append("| `%s` | %s |" % (case, " | ".join(_SYMBOL[c.cells.get(case)] for c in matrix.columns)))
    return "\n".join(lines) + "\n"
