"""A finding's title in words: the call, what it did with the target and with the reference, and
what the module it concerns is in the case (a namespace package, a module written by a step, one
a finder of the case serves...), so that the first line says what differs and where from."""
from __future__ import annotations

import json
from typing import Any

from conformance._compare import broken_by_target, step_index
from conformance._findings import is_consequence
from conformance._report import describe_step
from conformance._worker.invariants import PROMISES

__all__ = ["did", "finding_title"]


def did(step: Any) -> str:
    """What a step observation says happened, in words."""
    if step == "<absent>" or not isinstance(step, dict):
        return "never gets there"
    if step.get("outcome") == "raised":
        exception = step.get("exception", {})
        return "raises %s(%s)" % (exception.get("type"), json.dumps(exception.get("message")))
    if step.get("outcome") != "returned":
        return step.get("outcome", "?")
    result = step.get("result")
    if not isinstance(result, dict):
        return "returns"
    if result.get("type") == "module":
        return "returns module %s" % json.dumps(result.get("__name__"))
    if result.get("type") == "loader":
        return "returns a %s" % result.get("kind")
    if "value" in result:
        return "returns %s" % _short(result["value"])
    return "returns a %s" % result.get("type")


def finding_title(finding, target: str, reference: str) -> str:
    """What was called, what happened, what the reference does, and what the module concerned
    is in the case: one line."""
    divergence = finding.divergence
    first = divergence.steps()[0]
    steps = finding.case.get("steps", [])
    name = _name(target)
    if first is None or first >= len(steps):
        difference = next((d for d in divergence.differences if not is_consequence(d.path)),
                          divergence.differences[0])
        after = "After %s, " % describe_step(steps[-1]) if steps else "After the set-up, "
        return "%s%s is %s with %s, %s with %s" % (after, _final_field(difference.path), _value(difference.target),
                                                   name, _value(difference.reference), reference)
    step = steps[first]
    call = describe_step(step) + module_about(finding.case, first)
    mine, theirs = divergence.target.get("steps", []), divergence.reference.get("steps", [])
    seen_mine = mine[first] if first < len(mine) else "<absent>"
    seen_theirs = theirs[first] if first < len(theirs) else "<absent>"
    broken = [name for d in divergence.differences if step_index(d.path) == first for name in broken_by_target(d)]
    if broken:
        return "%s %s, which breaks %s with %s; %s keeps %s" % (
            call, did(seen_mine), "; ".join("%s (%s)" % (name, PROMISES[name][0]) for name in broken), name,
            reference, "it" if len(broken) == 1 else "them")
    if did(seen_mine) != did(seen_theirs):
        return "%s %s with %s, where %s %s" % (call, did(seen_mine), name, reference, did(seen_theirs))
    at_step = [d for d in divergence.differences if step_index(d.path) == first]
    difference = next((d for d in at_step if not is_consequence(d.path)), at_step[0])
    field = difference.path.split("]", 1)[1].lstrip(".")
    return "%s %s, but its %s is %s with %s, %s with %s" % (
        call, did(seen_mine), field, _value(difference.target), name, _value(difference.reference), reference)


def module_about(case: dict, index: int) -> str:
    """` (b: a namespace package, r0/b)`: what the module step `index` names is in the case,
    or "" where the step names none plainly (a relative name, an object)."""
    step = case["steps"][index]
    name = step.get("name") if step.get("op") != "reload" else step.get("module")
    if not isinstance(name, str) or not name or name.startswith(".") or not all(name.split(".")):
        return ""
    return " (%s: %s)" % (name, _what_module(case, index, name))


def _what_module(case: dict, index: int, name: str) -> str:
    relative = name.replace(".", "/")
    for finder in case.get("meta_path", []):
        if name in finder.get("names", ()) or name in (finder.get("modules") or {}):
            return "served by the case's %s meta-path finder %s" % (finder.get("finder"), finder.get("name"))
    for hook in case.get("path_hooks", []):
        if name in (hook.get("modules") or {}):
            return "served by the case's %s path hook %s for %s" % (hook.get("hook"), hook.get("name"), hook.get("entry"))
    written = [(at, step["path"]) for at, step in enumerate(case["steps"][:index])
               if step.get("op") == "write" and _names(step["path"], relative)]
    if written:
        at, path = written[-1]
        return "%s, written by step %d" % (_kind(path, relative), at)
    files, dirs = case.get("files", {}), case.get("dirs", [])
    entries = [entry for entry in case.get("sys_path", ["."]) if isinstance(entry, str)]

    def searched_first(path: str) -> tuple:  # where an import looks first: sys.path order
        return next((at for at, entry in enumerate(entries) if path.startswith(entry + "/")), len(entries)), path

    for path in sorted(files, key=searched_first):
        if _names(path, relative):
            return "%s, %s" % (_kind(path, relative), path)
        entries = files[path].get("zip", {}) if isinstance(files[path], dict) else {}
        for entry in sorted(entries):
            if entry in (relative + ".py", relative + "/__init__.py", relative + ".pyc"):
                return "%s in the zip archive %s" % (_kind(entry, relative), path)
    present = set(dirs) | set(files)
    for entry in entries:  # a directory of that name below a sys.path entry: a portion
        portion = relative if entry == "." else "%s/%s" % (entry, relative)
        if any(path == portion or path.startswith(portion + "/") for path in present):
            return "a namespace package portion, %s" % portion
    return "no such module in the case's files"


def _names(path: str, relative: str) -> bool:
    """Whether file `path` is where module `relative` (slashed) lives."""
    return any(path == relative + tail or path.endswith("/" + relative + tail)
               for tail in (".py", "/__init__.py", ".pyc"))


def _kind(path: str, relative: str) -> str:
    if path.endswith("/__init__.py"):
        return "a package"
    return "a bytecode-only module" if path.endswith(".pyc") else "a source module"


def _final_field(path: str) -> str:
    """A final-state field as Python says it: sys.modules['a'], sys.path_importer_cache['...']."""
    for prefix, shown in (("final.path_importer_cache.", "sys.path_importer_cache[%r]"),
                          ("final.modules.", "sys.modules[%r]")):
        if path.startswith(prefix) and "." not in path[len(prefix):]:
            return shown % path[len(prefix):]
    return path


def _value(value: Any) -> str:
    return "absent" if value == "<absent>" else _short(value)


def _name(target: str) -> str:
    """A target as a title names it: a file by its name."""
    return target.rsplit("/", 1)[-1]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
