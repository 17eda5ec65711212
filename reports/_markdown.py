"""Markdown bug reports for fuzzer findings, and writing a finding's files."""
from __future__ import annotations

import json
from pathlib import Path

from conformance._files import write_directory
from conformance._report import describe_step
from ._repro import expression, repro_script
from ._short import short_script
from ._title import finding_title

__all__ = ["markdown_report", "write_finding"]

# Which seed sentences a step kind is about (conformance/catalogue/sentences.json ids).
_SENTENCES_BY_OP = {
    "__import__": ["__import__.1", "import_module.6"],
    "import_module": ["import_module.1", "import_module.2", "import_module.3", "import_module.8"],
    "find_loader": ["find_loader.1", "find_loader.2", "find_loader.3", "find_loader.4"],
    "invalidate_caches": ["invalidate_caches.1", "invalidate_caches.2", "invalidate_caches.3"],
    "reload": ["reload.1", "reload.4", "reload.5", "reload.20"],
}


def _sentences() -> dict[str, str]:
    from conformance._spec import sentences

    return {s["id"]: s["text"] for s in sentences()}


def _cell(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = text if len(text) <= 300 else text[:297] + "..."
    return text.replace("|", "\\|").replace("\n", " ")


def _step_text(step: dict) -> str:
    """A step as a call: arguments as Python expressions; a write step's source (text, bytecode
    or an archive) as its JSON; a threads step as its calls."""
    if step["op"] == "threads":
        return "threads(%s)" % ", ".join(_step_text(call) for call in step["calls"])
    args = ", ".join("%s=%s" % (k, json.dumps(v, ensure_ascii=False) if k == "source" else expression(v))
                     for k, v in step.items() if k not in ("op", "comment"))
    return "%s(%s)" % (step["op"], args)


def markdown_report(finding, target: str, reference: str) -> str:
    """Title, minimal tree and steps, the two observations side by side, interpreters and
    versions, and the seed sentences involved."""
    case = finding.case
    op, fields, kinds = finding.signature
    title = finding_title(finding, target, reference)
    lines = ["# %s" % title, ""]
    interpreters = ", ".join("%s (`%s`)" % (i.label, i.path) for i in finding.interpreters)
    if finding.groups:
        lines += ["Mode: one target (`%s`) across interpreters: %s." % (target, interpreters), ""]
    else:
        lines += ["Target `%s` against reference `%s` on %s." % (target, reference, interpreters), ""]
        lines += [_where(finding), ""]
    lines += ["## Files", ""]
    for path, source in sorted(case.get("files", {}).items()):
        text = source if isinstance(source, str) else "\n".join(source)
        lines += ["`%s`:" % path, "", "```python", text.rstrip("\n"), "```", ""]
    if case.get("dirs"):
        lines += ["Directories: %s" % ", ".join("`%s`" % d for d in case["dirs"]), ""]
    lines += ["`sys.path` front: %s" % ", ".join("`%s`" % e for e in case.get("sys_path", ["."])), ""]
    for key in ("sys_modules", "meta_path"):
        if case.get(key):
            lines += ["%s: `%s`" % (key, json.dumps(case[key], ensure_ascii=False)), ""]
    lines += ["## Steps", ""]
    lines += ["%d. `%s`" % (i, _step_text(step)) for i, step in enumerate(case.get("steps", []))]
    lines += ["", "## Observations", ""]
    if finding.groups:
        lines += ["| interpreters | outcome of the differing fields |", "| --- | --- |"]
        paths = [d.path for d in finding.divergence.differences]
        for labels, obs in finding.groups:
            values = "; ".join("`%s` = %s" % (p, _cell(_lookup(obs, p))) for p in paths[:6])
            lines.append("| %s | %s |" % (", ".join(labels), values))
    else:
        lines += ["| field | target `%s` | reference `%s` |" % (target, reference), "| --- | --- | --- |"]
        for difference in finding.divergence.differences[:20]:
            lines.append("| `%s` | %s | %s |" % (difference.path, _cell(difference.target),
                                                  _cell(difference.reference)))
    if getattr(finding, "absorbed", None):
        lines += ["", "## Same root cause", "",
                  "These divergences come down to the same difference, or come from it (one finding, "
                  "%d signatures absorbed), each with the case that showed it:" % len(finding.absorbed), ""]
        lines += [_absorbed_line(absorbed) for absorbed in finding.absorbed]
    lines += ["", "## Reproduce", "",
              "`python repro.py stdlib` (or `builtin`, or a target `.py` file) prints each step's outcome;",
              "run it with both sides (or under both interpreters) and compare. Or replay the case:",
              "`python -m conformance check --cases case.json --target %s --reference %s`." % (
                  target, reference if not finding.groups else "expected"), ""]
    texts = _sentences()
    ids = []
    for step in case.get("steps", []):
        for sentence in _SENTENCES_BY_OP.get(step["op"], []):
            if sentence not in ids:
                ids.append(sentence)
    if ids:
        lines += ["## Seed sentences involved", ""]
        lines += ["- %s: %s" % (i, texts.get(i, "")) for i in ids]
        lines.append("")
    return "\n".join(lines)


def _where(finding) -> str:
    """On which interpreters the reduced case diverges, and on which it does not."""
    on = ", ".join(getattr(finding, "reproduces_on", [])) or "(not run again)"
    passes = ", ".join(getattr(finding, "passes_on", []))
    return "Reproduces on: %s.%s" % (on, " Does not reproduce on: %s." % passes if passes else "")


def _lookup(obs, path: str):
    node = obs
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("["):
            index = int(part[1:-1])
            node = node[index] if isinstance(node, list) and index < len(node) else "<absent>"
        else:
            node = node.get(part, "<absent>") if isinstance(node, dict) else "<absent>"
    return node


def write_finding(finding, directory: Path, target: str, reference: str) -> Path:
    """Write case.json (replayable), repro.py (standalone), report.md and (where it can be said
    plainly) finding.py under directory/slug: the directory appears whole or not at all, an
    older one of that name replaced (WriteError)."""
    where = Path(directory) / finding.slug
    case = dict(finding.case)
    description = "fuzzer finding: %s" % finding_title(finding, target, reference)
    files = {"case.json": json.dumps({"format": 1, "description": description, "cases": [case]},
                                     indent=1, ensure_ascii=False) + "\n",
             "repro.py": repro_script(case, " ".join(map(str, finding.signature[:1]))),
             "report.md": markdown_report(finding, target, reference)}
    short = short_script(finding, target, reference)
    if short is not None:
        files["finding.py"] = short
    write_directory(where, files)
    return where


def _absorbed_line(absorbed) -> str:
    """An absorbed finding in one line: its signature, and its case's first differing step (or its steps)."""
    op, fields, kinds = absorbed.signature
    steps = absorbed.case.get("steps", [])
    first = absorbed.divergence.steps()[0] if absorbed.divergence.differences else None
    shown = [steps[first]] if first is not None and first < len(steps) else steps
    raised = "" if kinds[0] == kinds[1] else ", the target %s where the reference %s" % tuple(
        "raises %s" % kind if kind else "returns" for kind in kinds)
    return "- `%s`: %s%s; case `%s`: %s" % (
        op, ", ".join("`%s`" % f for f in fields) or "outcome", raised, absorbed.case.get("id", "?"),
        "; ".join("`%s`" % describe_step(step).replace("`", "'") for step in shown) or "no steps")
