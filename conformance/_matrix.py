"""Results matrix: the JSON reports of several `check` runs (implementations, versions, targets)
as one table of cases, grouped by area, against the runs' columns; Markdown for a README or a
pull request, and one self-contained HTML page (no network) whose cells open to the differing
fields."""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Matrix", "MatrixError", "load_matrix", "render_html", "render_markdown", "STATUSES"]

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
    cells: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    fields: dict[str, list[dict]] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        counts = {status: 0 for status in STATUSES}
        for status in self.cells.values():
            counts[status] += 1
        return counts


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
                title = "%s on %s" % (Path(data["target"]).name if "/" in data["target"] else data["target"], label)
                by_interpreter[label] = Column(title, str(path))
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
    """Totals per column, a row per area (passed of run), then every case that is not a pass
    in all columns."""
    head = "| | " + " | ".join(c.title for c in matrix.columns) + " |"
    rule = "| --- |" + " --- |" * len(matrix.columns)
    lines = ["# Conformance matrix", "", head, rule]
    for status in STATUSES:
        lines.append("| %s | %s |" % (status, " | ".join(str(c.totals()[status]) for c in matrix.columns)))
    lines += ["", "## By area (passed / run)", "", head, rule]
    for area, cases in matrix.areas().items():
        cells = []
        for column in matrix.columns:
            ran = [column.cells[c] for c in cases if column.cells.get(c) not in (None, "skipped")]
            cells.append("%d / %d" % (sum(1 for s in ran if s == "pass"), len(ran)))
        lines.append("| %s | %s |" % (area, " | ".join(cells)))
    others = [case for case in matrix.cases
              if any(column.cells.get(case) not in (None, "pass", "skipped") for column in matrix.columns)]
    lines += ["", "## Cases that are not a pass everywhere", ""]
    if not others:
        lines.append("None.")
    else:
        lines += [head, rule]
        for case in others:
            lines.append("| `%s` | %s |" % (case, " | ".join(_SYMBOL[c.cells.get(case)] for c in matrix.columns)))
    return "\n".join(lines) + "\n"


_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 2px 6px; vertical-align: top; }
th { background: #f3f3f3; position: sticky; top: 0; }
tr.area th { text-align: left; background: #e8eef7; }
td.pass { background: #e5f5e0; } td.fail { background: #fbd5d5; } td.error { background: #f8b4b4; }
td.expected-fail { background: #fdf1c7; } td.skipped, td.unsupported { background: #eee; color: #666; }
details ul { margin: 4px 0; padding-left: 1.2em; font: 12px monospace; max-width: 40em; }
tfoot td { font-weight: bold; }
"""

_SCRIPT = """
document.getElementById("only-differing").addEventListener("change", function (event) {
  var rows = document.querySelectorAll("tbody tr.case");
  for (var i = 0; i < rows.length; i++) {
    rows[i].hidden = event.target.checked && rows[i].getAttribute("data-everywhere-pass") === "yes";
  }
});
"""


def render_html(matrix: Matrix) -> str:
    """One page, no network: cells coloured by status, failures open to their differing
    fields, totals per column in the table's foot (data-status, data-column for tools)."""
    esc = html.escape
    out = ["<!DOCTYPE html>", "<html lang=en><head><meta charset=utf-8><title>Conformance matrix</title>",
           "<style>%s</style></head><body>" % _STYLE, "<h1>Conformance matrix</h1>",
           "<p>Sources: %s</p>" % ", ".join(sorted({esc(c.source) for c in matrix.columns})),
           "<label><input type=checkbox id=only-differing> only cases that are not a pass everywhere</label>",
           "<table><thead><tr><th>case</th>%s</tr></thead><tbody>" % "".join(
               "<th>%s</th>" % esc(c.title) for c in matrix.columns)]
    for area, cases in matrix.areas().items():
        out.append("<tr class=area><th colspan=%d>%s</th></tr>" % (len(matrix.columns) + 1, esc(area)))
        for case in cases:
            everywhere = all(c.cells.get(case) in (None, "pass", "skipped") for c in matrix.columns)
            cells = []
            for column in matrix.columns:
                status = column.cells.get(case)
                if status is None:
                    cells.append("<td></td>")
                    continue
                detail = ""
                fields = column.fields.get(case) or []
                note = column.notes.get(case)
                if fields or note:
                    items = "".join("<li>%s: %s &rarr; %s</li>" % (
                        esc(f["path"]), esc(json.dumps(f["target"])[:120]), esc(json.dumps(f["reference"])[:120]))
                        for f in fields[:20])
                    detail = "<details><summary>%s</summary>%s<ul>%s</ul></details>" % (
                        esc(status), "<div>%s</div>" % esc(note) if note else "", items)
                cells.append("<td class='%s'>%s</td>" % (status.replace(" ", "-"), detail or esc(status)))
            out.append("<tr class=case data-everywhere-pass=%s><td><code>%s</code></td>%s</tr>"
                       % ("yes" if everywhere else "no", esc(case), "".join(cells)))
    out.append("</tbody><tfoot>")
    for status in STATUSES:
        out.append("<tr><td>%s</td>%s</tr>" % (esc(status), "".join(
            "<td data-column=%d data-status='%s'>%d</td>" % (index, esc(status), column.totals()[status])
            for index, column in enumerate(matrix.columns))))
    out.append("</tfoot></table><script>%s</script></body></html>" % _SCRIPT)
    return "\n".join(out) + "\n"
