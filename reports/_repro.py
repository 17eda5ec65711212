"""Standalone reproducer scripts: a case translated into plain Python that needs only the stdlib.

The script builds the case's files in a temporary directory, performs each step with direct
calls, and prints what happened. Run it with two targets (`stdlib`, `builtin`, or a target .py
file) or under two interpreters, and compare the output.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance._worker import threads as _threads
from conformance._worker.calls import CALLS

__all__ = ["docstring_text", "expression", "repro_script"]

_PRELUDE_FILE = Path(__file__).with_name("_prelude.py")
_FINDER_OPTIONS = ("origin", "ask_package", "loader", "locations", "search_locations", "relative", "pathlike",
                   "spec_attrs")  # Finder(options=...)


def _prelude() -> str:
    """reports/_prelude.py without its docstring."""
    text = _PRELUDE_FILE.read_text(encoding="utf-8")
    return text[text.index('"""', 3) + 3:]


def docstring_text(text: str) -> str:
    """Text inside a triple-quoted docstring, as it is."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def expression(value: Any) -> str:
    """Python source for a value in the case format's value encoding."""
    if isinstance(value, list):
        return "[%s]" % ", ".join(expression(item) for item in value)
    if not isinstance(value, dict):
        return repr(value)
    (tag, arg), = value.items()
    if tag == "tuple":
        return "(%s)" % "".join(expression(item) + ", " for item in arg)
    if tag == "bytes":
        return repr(arg.encode("utf-8"))
    if tag == "object":
        return "Opaque(%r)" % arg
    if tag == "path":
        return "os.path.join(CASE, %r)" % arg
    if tag == "module":
        return "sys.modules[%r]" % arg
    if tag == "result":
        return "RESULTS[%d]" % arg
    if tag == "literal":
        return repr(arg)
    if tag in ("dict", "globals"):
        return "{%s}" % ", ".join("%r: %s" % (k, expression(v)) for k, v in arg.items())
    if tag == "namespace":
        return "types.SimpleNamespace(%s)" % ", ".join("%s=%s" % (k, expression(v)) for k, v in arg.items())
    if tag == "implementation":
        return "types.SimpleNamespace(**dict(vars(sys.implementation), %s))" % ", ".join(
            "%s=%s" % (k, expression(v)) for k, v in arg.items())
    if tag == "spec":
        return "make_spec(%r, %s, %s, %r, %s)" % (
            arg["name"], expression(arg.get("loader")), expression(arg.get("origin")),
            bool(arg.get("is_package", False)), expression({"dict": arg.get("attrs", {})}))
    if tag == "stub":
        return "make_stub(%r, %s, %r)" % (arg["name"], expression({"dict": arg.get("attrs", {})}),
                                          list(arg.get("delete", ())))
    raise ValueError("unknown value tag %r" % tag)


def _lines(source) -> list[str] | dict:
    """A file's source as the script writes it: lines, or a {"pyc": ...} description."""
    if isinstance(source, dict) and "zip" in source:
        return {"zip": {name: _lines(entry) for name, entry in source["zip"].items()}}
    if isinstance(source, dict):
        return {"pyc": {key: _lines(value) if key.endswith("source") else value
                        for key, value in source["pyc"].items()}}
    return source if isinstance(source, list) else source.splitlines()


def _call_code(step: dict) -> tuple[str, str]:
    """A call step as (what the script prints, the expression that makes the call)."""
    op = step["op"]
    positional, keywords = CALLS[op]
    args = [expression(step[positional])] if positional else []
    args += ["%s=%s" % (k, expression(step[k])) for k in keywords if k in step]
    return "%s(%s)" % (op, ", ".join(args)), "T.call(%r)(%s)" % (op, ", ".join(args))


def _threads_code() -> str:
    """conformance/_worker/threads.py (the worker's `threads` steps) without its docstring and
    exports, and the script's use of it: run_threads() and the builtin __pause__()."""
    text = Path(_threads.__file__).read_text(encoding="utf-8")
    text = text[text.index('"""', 3) + 3:].replace('__all__ = ["PAUSE_SECONDS", "Threads", "available"]\n', "")
    return text + (
        "\n\nTHREADS = Threads()\nbuiltins.__pause__ = THREADS.pause\n\n\n"
        "def run_threads(calls):\n"
        "    for number, outcome in enumerate(THREADS.run(calls)):\n"
        "        if outcome.outcome == 'raised':\n"
        "            print('  thread %d raised %s: %s' % (number, type(outcome.exception).__name__,\n"
        "                                                str(outcome.exception).replace(CASE, '<case>')))\n"
        "        else:\n"
        "            print('  thread %d %s %s%s' % (number, outcome.outcome, describe(outcome.result), '' if\n"
        "                  outcome.names is None else ' (its names then: %s)' % outcome.names))\n")


def _step_code(index: int, step: dict) -> str:
    op = step["op"]
    if op in CALLS or op == "threads":
        calls = step["calls"] if op == "threads" else [step]
        coded = [_call_code(call) for call in calls]
        ops = [call["op"] for call in calls]
        shown = "threads(%s)" % ", ".join(text for text, _ in coded) if op == "threads" else coded[0][0]
        action = "run_threads([%s])" % ", ".join("lambda: " + call for _, call in coded) \
            if op == "threads" else coded[0][1]
        return ("    if not all(T.supplies(op) for op in %r):\n        print('step %d %s -> unsupported by this target')\n"
                "        return\n    step(%d, %r, lambda: %s, T)" % (ops, index, op, index, shown, action))
    if op == "write":
        action = "write(%r, %r, %r, %r)" % (step["path"], _lines(step["source"]), step.get("keep_mtime", False),
                                            step.get("keep_file_mtime", False))
    elif op == "delete":
        action = "delete(%r, %r)" % (step["path"], step.get("keep_mtime", False))
    elif op == "mkdir":
        action = "os.makedirs(os.path.join(CASE, %r), exist_ok=True)" % step["path"]
    elif op == "del_module":
        action = "sys.modules.__delitem__(%r)" % step["name"]
    elif op == "set_module":
        action = "sys.modules.__setitem__(%r, %s)" % (step["name"], expression(step["value"]))
    elif op == "del_attr":
        action = "delattr(sys.modules[%r], %r)" % (step["module"], step["attr"])
    elif op == "set_attr":
        action = "setattr(sys.modules[%r], %r, %s)" % (step["module"], step["attr"], expression(step["value"]))
    elif op == "getattr":
        action = "getattr(sys.modules[%r], %r)" % (step["module"], step["attr"])
    elif op == "path_insert":
        entry = step["entry"]
        entry = "os.path.join(CASE, %r)" % entry if isinstance(entry, str) else expression(entry)
        action = "sys.path.insert(%d, %s)" % (step.get("index", 0), entry)
    else:
        raise ValueError("unknown op %r" % op)
    return "    step(%d, %r, lambda: %s)" % (index, action, action)


def repro_script(case: dict, title: str = "") -> str:
    """A standalone Python script (stdlib only, 3.8+) that replays the case and prints what
    happened: `python repro.py [stdlib|builtin|TARGET.py]`."""
    files = {path: _lines(source) for path, source in case.get("files", {}).items()}
    entries = []
    for entry in case.get("sys_path", ["."]):
        entries.append("os.path.normpath(os.path.join(CASE, %r))" % entry if isinstance(entry, str)
                       else expression(entry))
    finders = []
    for number, hook in enumerate(case.get("path_hooks", ())):
        finders.append("    sys.path_hooks.insert(0, legacy_path_hook(%r, %r, %r, %r, %r))" % (
            hook["hook"], hook["entry"], hook.get("name", "hook%d" % number),
            {k: _lines(v) for k, v in hook.get("modules", {}).items()}, hook.get("packages", [])))
    for number, finder in enumerate(case.get("meta_path", ())):
        arguments = "%r, %r, names=%r, modules=%r, packages=%r" % (
            finder["finder"], finder.get("name", "finder%d" % number), finder.get("names"),
            {k: _lines(v) for k, v in finder.get("modules", {}).items()}, finder.get("packages", []))
        legacy = {"legacy_serving": "LegacyFinder", "legacy_loader": "LegacyLoaderFinder"}.get(finder["finder"])
        if legacy:
            arguments += ", bare=%r, filename=%r" % (finder.get("bare", False), finder.get("filename"))
        else:
            options = {key: finder[key] for key in _FINDER_OPTIONS if key in finder}
            arguments += ", exception=%r" % finder.get("exception", "RuntimeError") + (
                ", options=%r" % options if options else "")
        where = "0, " if finder.get("position", "first") == "first" else "len(sys.meta_path), "
        finders.append("    sys.meta_path.insert(%s%s(%s))" % (where, legacy or "Finder", arguments))
    seeds = ["    sys.modules[%r] = %s" % (name, expression(value))
             for name, value in case.get("sys_modules", {}).items()]
    steps = [_step_code(index, step) for index, step in enumerate(case.get("steps", []))]
    header = '#!/usr/bin/env python3\n"""Reproducer for case %s%s.\n\nUsage: python repro.py [stdlib|builtin|TARGET.py|dotted.target]\nPrints each step\'s outcome and the final state; run it with two targets or under two\ninterpreters and compare. A target\'s install() and uninstall() run as in the worker (INSTALL says\nwhen). Needs only the standard library (and the target).\n"""\n' % (
        docstring_text(case.get("id", "?")), docstring_text(": " + title) if title else "")
    body = [
        "FILES = %s" % json.dumps(files, indent=1, ensure_ascii=False),
        "DIRS = %r" % list(case.get("dirs", [])),
        "",
        "",
        "def main(target):",
        "    global T",
        "    T = load_target(target)",
        "    baseline = dict(sys.modules)",
        "    os.chdir(CASE)",
        "    sys.dont_write_bytecode = %r" % (not case.get("write_bytecode", False)),
        '    T.install("before-setup")',
        "    materialise(FILES, DIRS)",
        "    sys.path[:0] = [%s]" % ", ".join(entries),
        *seeds, *finders,
        *(["    lazy_imports(%r, %r)" % (case["lazy_imports"].get("mode"),
                                          case["lazy_imports"].get("filter", {}).get("eager"))]
          if "lazy_imports" in case else []),
        '    T.install("after-setup")',
        "    try:",
        "        run_steps()",
        "    finally:",
        "        T.uninstall()",
        "    final_state(baseline)",
        "",
        "",
        "def run_steps():",
        *(steps or ["    pass"]),
        "",
        "",
        'if __name__ == "__main__":',
        *(["    if sys.flags.optimize != %d:  # the case runs with %s" % (case["optimize"], "-" + "O" * case["optimize"]),
           "        os.rmdir(CASE)",
           "        os.execv(sys.executable, [sys.executable, %r, *sys.argv])" % ("-" + "O" * case["optimize"])]
          if case.get("optimize") else []),
        "    try:",
        '        main(sys.argv[1] if len(sys.argv) > 1 else "stdlib")',
        "    finally:",
        "        shutil.rmtree(CASE, ignore_errors=True)",
        "",
    ]
    uses_threads = any(step.get("op") == "threads" for step in case.get("steps", []))
    return header + _prelude() + (_threads_code() if uses_threads else "") + "\n\n" + "\n".join(body)
