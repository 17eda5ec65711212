"""The results matrix as one self-contained HTML page (no network): a dashboard that opens with a
row per implementation and version (pass rate, a bar, the counts), then a row per area with a
pass rate per column (coloured by the worst outcome in it: an unexpected failure red, only
expected ones yellow), each opening to its cases; a failing cell opens to the differing fields.
Cells carry data-column and data-status, the summary's counts too, for tools and tests."""
from __future__ import annotations

import html
import json

from conformance._matrix import Matrix, percent

__all__ = ["render_html"]

_BAR = (("pass", "passed"), ("expected fail", "expected failures"), ("fail", "failures"), ("error", "errors"),
        ("unsupported", "unsupported"), ("skipped", "skipped"))

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em 2em; color: #1d1d1f; max-width: 100em; }
h1 { margin-bottom: .2em; } h2 { margin-top: 1.6em; } .sources { color: #666; margin-top: 0; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d6d6d6; padding: 3px 8px; vertical-align: top; }
thead th { background: #f3f3f3; position: sticky; top: 0; z-index: 1; }
table.summary td.number { text-align: right; font-variant-numeric: tabular-nums; }
table.summary td.rate { font-weight: 600; text-align: right; }
.bar { display: flex; width: 16em; height: 1em; border-radius: 3px; overflow: hidden; background: #eee; }
.bar span { display: block; height: 100%; }
.pass { background: #cdebc2; } .fail { background: #f6b9b9; } .error { background: #ef8f8f; }
.expected-fail { background: #fbe7a1; } .skipped, .unsupported { background: #e4e4e4; color: #666; }
.bar .pass { background: #4caf50; } .bar .expected-fail { background: #e2b93b; } .bar .fail { background: #e05252; }
.bar .error { background: #a83232; } .bar .unsupported, .bar .skipped { background: #bdbdbd; }
.legend span { display: inline-block; padding: 0 .5em; margin-right: .4em; border-radius: 3px; }
tr.area th { text-align: left; background: #eef3fa; font-weight: 600; white-space: nowrap; }
tr.area th button { font: inherit; border: 0; background: none; cursor: pointer; padding: 0; }
tr.area td { text-align: right; font-variant-numeric: tabular-nums; }
tr.case td:first-child { padding-left: 1.6em; }
td details summary { white-space: nowrap; }
details ul { margin: 4px 0; padding-left: 1.2em; font: 12px monospace; max-width: 40em; }
"""

_SCRIPT = """
function applyFilter() {
  var only = document.getElementById("only-differing").checked;
  var rows = document.querySelectorAll("tr.case");
  for (var i = 0; i < rows.length; i++) {
    var area = document.querySelector("tr.area[data-area='" + rows[i].getAttribute("data-area") + "']");
    var open = area.getAttribute("data-open") === "yes";
    rows[i].hidden = !open || (only && rows[i].getAttribute("data-everywhere-pass") === "yes");
  }
}
var buttons = document.querySelectorAll("tr.area button");
for (var i = 0; i < buttons.length; i++) {
  buttons[i].addEventListener("click", function (event) {
    var row = event.currentTarget.closest("tr");
    var open = row.getAttribute("data-open") !== "yes";
    row.setAttribute("data-open", open ? "yes" : "no");
    event.currentTarget.setAttribute("aria-expanded", open ? "true" : "false");
    event.currentTarget.firstChild.textContent = open ? "\\u25be " : "\\u25b8 ";
    applyFilter();
  });
}
document.getElementById("only-differing").addEventListener("change", applyFilter);
function openAll() {
  var areas = document.querySelectorAll("tr.area");
  for (var i = 0; i < areas.length; i++) {
    areas[i].setAttribute("data-open", "yes");
    areas[i].querySelector("button").setAttribute("aria-expanded", "true");
    areas[i].querySelector("button").firstChild.textContent = "\\u25be ";
  }
  applyFilter();
}
document.getElementById("open-all").addEventListener("click", openAll);
if (location.hash === "#all" || location.hash === "#differing") {  // a link that opens every area
  document.getElementById("only-differing").checked = location.hash === "#differing";
  openAll();
}
"""


def _summary(matrix: Matrix) -> list[str]:
    """A row per column: implementation, target, pass rate, a bar of every status, the counts."""
    esc = html.escape
    out = ["<h2>Implementations</h2>",
           "<p class=legend>%s</p>" % "".join("<span class='%s'>%s</span>" % (s.replace(" ", "-"), esc(word))
                                             for s, word in _BAR),
           "<table class=summary><thead><tr><th>implementation</th><th>target</th><th>pass rate</th><th></th>%s"
           "</tr></thead><tbody>" % "".join("<th>%s</th>" % esc(word) for _, word in _BAR)]
    for index, column in enumerate(matrix.columns):
        totals, everything = column.totals(), max(1, sum(column.totals().values()))
        bar = "".join("<span class='%s' style='width:%.2f%%' title='%s: %d'></span>" % (
            status.replace(" ", "-"), 100.0 * totals[status] / everything, esc(word), totals[status])
            for status, word in _BAR if totals[status])
        out.append("<tr class=implementation data-column=%d><td>%s</td><td>%s</td><td class=rate>%s</td>"
                   "<td><div class=bar>%s</div></td>%s</tr>" % (
                       index, esc(column.implementation), esc(column.target), percent(*column.rate()), bar,
                       "".join("<td class=number data-column=%d data-status='%s'>%d</td>" % (index, esc(status),
                                                                                            totals[status])
                               for status, _ in _BAR)))
    out.append("</tbody></table>")
    return out


def _cell(column, case: str) -> str:
    esc = html.escape
    status = column.cells.get(case)
    if status is None:
        return "<td></td>"
    fields, note = column.fields.get(case) or [], column.notes.get(case)
    if not (fields or note):
        return "<td class='%s'>%s</td>" % (status.replace(" ", "-"), esc(status))
    items = "".join("<li>%s: %s &rarr; %s</li>" % (
        esc(f["path"]), esc(json.dumps(f["target"])[:120]), esc(json.dumps(f["reference"])[:120])) for f in fields[:20])
    return "<td class='%s'><details><summary>%s</summary>%s<ul>%s</ul></details></td>" % (
        status.replace(" ", "-"), esc(status), "<div>%s</div>" % esc(note) if note else "", items)


def _areas(matrix: Matrix) -> list[str]:
    """A row per area (pass rate per column), opening to its cases' rows."""
    esc = html.escape
    out = ["<h2>By area</h2>",
           "<p><button id=open-all type=button>open every area</button> "
           "<label><input type=checkbox id=only-differing> only cases that fail somewhere (expected or not) or err</label></p>",
           "<table class=areas><thead><tr><th>area / case</th>%s</tr></thead><tbody>" % "".join(
               "<th>%s</th>" % esc(c.title) for c in matrix.columns)]
    for area, cases in matrix.areas().items():
        rates = []
        for column in matrix.columns:
            passed, run = column.rate(cases)
            statuses = {column.cells.get(case) for case in cases}
            worst = next((s for s in ("error", "fail", "expected fail") if s in statuses), "pass" if run else "skipped")
            rates.append("<td class='%s' data-column=%d title='%d of %d passed'>%s</td>" % (
                worst.replace(" ", "-"), len(rates), passed, run, percent(passed, run)))
        out.append("<tr class=area data-area='%s' data-open=no><th><button type=button aria-expanded=false>"
                   "<span>\u25b8 </span>%s (%d)</button></th>%s</tr>" % (esc(area), esc(area), len(cases), "".join(rates)))
        for case in cases:
            everywhere = all(c.cells.get(case) in (None, "pass", "skipped", "unsupported") for c in matrix.columns)
            out.append("<tr class=case data-area='%s' data-everywhere-pass=%s hidden><td><code>%s</code></td>%s</tr>"
                       % (esc(area), "yes" if everywhere else "no", esc(case),
                          "".join(_cell(column, case) for column in matrix.columns)))
    out.append("</tbody></table>")
    return out


def render_html(matrix: Matrix) -> str:
    """The dashboard page: summary, areas, cases; no network."""
    sources = ", ".join(html.escape(s) for s in dict.fromkeys(c.source for c in matrix.columns))
    out = ["<!DOCTYPE html>", "<html lang=en><head><meta charset=utf-8><title>Conformance matrix</title>",
           "<meta name=viewport content='width=device-width, initial-scale=1'>",
           "<style>%s</style></head><body>" % _STYLE, "<h1>Conformance matrix</h1>",
           "<p class=sources>Reports: %s</p>" % sources]
    out += _summary(matrix) + _areas(matrix)
    out.append("<script>%s</script></body></html>" % _SCRIPT)
    return "\n".join(out) + "\n"
