"""The short script of a finding: what a hook's maintainer runs. Plain Python, no harness: it
writes the case's files, installs the target, makes the calls, prints what happens and asserts
what the reference does, so it fails while the difference is there (`--without-target`: the
same with the stdlib alone, which passes).

Only cases it can say plainly get one (a target that is a module; files, sys.path and the five
functions, edits and attribute steps; no seeded sys.modules, meta-path finders or lazy imports
mode); the others keep repro.py.
"""
from __future__ import annotations

import json
from typing import Any

from conformance._compare import step_index
from conformance._report import describe_step
from conformance._targets import is_own_target, is_recorded
from conformance._worker.calls import CALLS
from conformance._worker.observe import MACHINERY
from ._repro import docstring_text, expression
from ._title import finding_title

__all__ = ["short_script"]

_PLAIN_OPS = set(CALLS) | {"write", "delete", "mkdir", "getattr", "del_module", "del_attr", "path_insert"}
_MODULE_FIELDS = {"__name__", "__package__", "__file__", "__cached__", "__path__", "__loader__"}
_SPEC_FIELDS = {"name", "parent", "origin", "cached", "has_location", "loader", "submodule_search_locations"}


def _plain(case: dict, target: str) -> bool:
    if is_own_target(target) or is_recorded(target):
        return False
    if case.get("sys_modules") or case.get("meta_path") or case.get("path_hooks") \
            or case.get("write_bytecode") or case.get("lazy_imports") or case.get("optimize"):  # repro.py sets these
        return False
    sources = list(case.get("files", {}).values()) + [step.get("source") for step in case.get("steps", ())]
    if any(isinstance(source, dict) for source in sources):  # bytecode, archives: repro.py writes them
        return False
    if any(not isinstance(entry, str) for entry in case.get("sys_path", ["."])):
        return False
    text = json.dumps(case.get("steps", []))
    return all(step["op"] in _PLAIN_OPS for step in case.get("steps", [])) and not any(
        '{"%s"' % tag in text for tag in ("object", "spec", "stub", "namespace", "implementation", "path"))


def _call(step: dict) -> str:
    op = step["op"]
    positional, keywords = CALLS[op]
    args = [expression(step[positional])] if positional else []
    args += ["%s=%s" % (key, expression(step[key])) for key in keywords if key in step]
    return "function(%r)(%s)" % (op, ", ".join(args))


def _action(step: dict) -> str:
    op = step["op"]
    if op in CALLS:
        return _call(step)
    if op == "write":
        source = step["source"] if isinstance(step["source"], list) else step["source"].splitlines()
        return "write(%r, %r)" % (step["path"], source)
    if op == "delete":
        return "os.remove(os.path.join(ROOT, %r))" % step["path"]
    if op == "mkdir":
        return "os.makedirs(os.path.join(ROOT, %r), exist_ok=True)" % step["path"]
    if op == "getattr":
        return "getattr(sys.modules[%r], %r)" % (step["module"], step["attr"])
    if op == "del_module":
        return "sys.modules.pop(%r)" % step["name"]
    if op == "del_attr":
        return "delattr(sys.modules[%r], %r)" % (step["module"], step["attr"])
    entry = step["entry"]
    return "sys.path.insert(%d, os.path.join(ROOT, %r))" % (step.get("index", 0), entry)


def _checks(path: str, reference: Any, subject: str) -> list[str]:
    """Assertions that `subject` (Python source) shows `reference` at the field `path` (after
    the step part); [] for a field a plain script cannot check."""
    if path == "outcome" or path == "":
        return []
    if path == "exception.type":
        return [_check("type(error).__name__ == %r" % (reference,),
                       "raises %%s, the reference raises %s" % _literal(reference), "type(error).__name__")]
    if path == "exception.message":
        return [_check("norm(str(error)) == %r" % (reference,), "message %r, the reference says %r",
                       "norm(str(error))", repr(reference))]
    if path.startswith("result."):
        field = path[len("result."):]
        if field in _MODULE_FIELDS:
            getter = "kind(getattr(%s, %r, None))" % (subject, field) if field == "__loader__" else \
                "norm(getattr(%s, %r, '<missing>'))" % (subject, field)
        elif field.startswith("__spec__.") and field.split(".", 1)[1] in _SPEC_FIELDS:
            attr = field.split(".", 1)[1]
            getter = ("kind(getattr(getattr(%s, '__spec__', None), 'loader', None))" % subject if attr == "loader"
                      else "norm(getattr(getattr(%s, '__spec__', None), %r, '<missing>'))" % (subject, attr))
        elif field == "kind":
            getter = "kind(%s)" % subject
        elif field == "value":
            getter = "simple(%s)" % subject
        elif field == "type":
            getter = "described_type(%s)" % subject
        else:
            return []
        return [_check("%s == %r" % (getter, reference), "%s is %%r, the reference has %%r" % _literal(field),
                       getter, repr(reference))]
    if path == "executed":
        return [_check("executed == %r" % (reference,), "ran %s, the reference runs %s", "executed", repr(reference))]
    return []


def _final_checks(path: str, reference: Any, final: dict | None) -> list[str]:
    """Assertions that the final state shows `reference` at `path` (`final`: the reference's
    final observation, whose module identities name the modules an attribute refers to)."""
    if not path.startswith("final.modules."):
        return []
    rest = path[len("final.modules."):]
    if ".attrs." in rest:
        key, attr = rest.split(".attrs.", 1)
        expected = _attribute("getattr(sys.modules.get(%r), %r, '<absent>')" % (key, attr), reference, final)
        if expected is None:
            return []
        getter, wanted = expected
        return [_check("%s == %s" % (getter, wanted), "sys.modules[%s].%s is %%r, the reference has %%s" % (
            _literal(repr(key)), _literal(attr)), getter, wanted)]
    if rest.rpartition(".")[2] not in ("id", "bound", "value", "library"):  # the whole entry
        present = reference != "<absent>"
        return [_check("(%r in sys.modules) == %r" % (rest, present), "%s in sys.modules: %%s, the reference: %s" % (
            _literal(repr(rest)), present), "%r in sys.modules" % (rest,))]
    return []


def _attribute(value: str, reference: Any, final: dict | None) -> tuple[str, str] | None:
    """How a module attribute's value (`value`, its source) compares with its observation
    (observe.attributes): a module by identity ("module m:a": the module the reference's final
    state labels so; "module lib:NAME": the library's), another object by its class name ("<Foo>"), a
    simple value as it is. Returns the source of both sides, or None where the observation names
    nothing the script can find."""
    if reference == "<absent>":
        return value, repr("<absent>")
    if isinstance(reference, str) and reference.startswith("module "):
        label = reference[len("module "):]
        if label.startswith("lib:"):
            return value, "sys.modules.get(%r, '<not imported>')" % label[len("lib:"):]
        keys = [key for key, entry in ((final or {}).get("modules") or {}).items()
                if isinstance(entry, dict) and entry.get("id") == label]
        return (value, "sys.modules.get(%r, '<not imported>')" % keys[0]) if keys else None
    if isinstance(reference, str) and reference.startswith("<") and reference.endswith(">"):
        kind = "type(%s)" % value  # spelled as the observation spells it (observe.class_name)
        return ("'<%%s>' %% (%s.__name__.lstrip('_') if %s.__module__.split('.')[0] in %r else %s.__name__)"
                % (kind, kind, MACHINERY, kind), repr(reference))
    return "norm(%s)" % value, repr(reference)


def _check(condition: str, message: str, *shown: str) -> str:
    """The source of a check: `condition` and each of `shown` are Python expressions; `message`
    is any text (written with repr), with a %s or %r for each of `shown` and %% for a percent sign."""
    if not shown:
        return "check(%s, %r)" % (condition, message)
    return "check(%s, %r %% (%s,))" % (condition, message, ", ".join(shown))


def _literal(text) -> str:
    """Text to put in a check's message as it is (its percent signs doubled)."""
    return str(text).replace("%", "%%")


def _comment(text: str) -> str:
    """Text on one comment line."""
    return text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")



def short_script(finding, target: str, reference: str) -> str | None:
    """The finding's short script, or None where the case cannot be said plainly."""
    case = finding.case
    if not _plain(case, target):
        return None
    divergence = finding.divergence
    first = divergence.steps()[0]
    theirs = divergence.reference.get("steps", [])
    mine = divergence.target.get("steps", [])
    body: list[str] = []
    checked = 0
    for index, step in enumerate(case.get("steps", [])):
        body.append("# step %d: %s" % (index, _comment(describe_step(step))))
        body.append("del executed[:]")
        action = _action(step)
        observed = theirs[index] if index < len(theirs) else None
        seen = mine[index] if index < len(mine) else None
        # the outcome's check shows the difference only where the outcomes differ
        outcome_differs = not isinstance(seen, dict) or not isinstance(observed, dict) or \
            seen.get("outcome") != observed.get("outcome")
        on_error, on_result = [], []  # checks of the exception raised, of the value returned
        if index == first and isinstance(observed, dict):
            for difference in divergence.differences:
                if step_index(difference.path) == index:
                    field = difference.path.split("]", 1)[1].lstrip(".")
                    (on_error if field.startswith("exception.") else on_result).extend(
                        _checks(field, difference.reference, "result"))
        if index == first and isinstance(observed, dict) and observed.get("outcome") == "raised":
            exception = observed.get("exception", {})
            body += ["try:", "    result = %s" % action, "except Exception as error:",
                     "    print('step %d raised %%s: %%s' %% (type(error).__name__, norm(str(error))))" % index]
            body += ["    " + line for line in on_error]
            body += ["else:", "    print('step %d returned %%s' %% shown(result))" % index,
                     "    " + _check("False", "returns, the reference raises %s" % exception.get("type"))]
            body += ["RESULTS.append(None)"]
            checked += outcome_differs + len(on_error)
        elif index == first and isinstance(observed, dict) and observed.get("outcome") in ("returned", "done"):
            body += ["try:", "    result = %s" % action, "except Exception as error:",
                     "    print('step %d raised %%s: %%s' %% (type(error).__name__, norm(str(error))))" % index,
                     "    check(False, 'raises %s, the reference returns' % type(error).__name__)", "    result = None",
                     "else:", "    print('step %d returned %%s' %% shown(result))" % index]
            body += ["    " + line for line in on_result]
            body += ["RESULTS.append(result)"]
            checked += outcome_differs + len(on_result)
        else:
            body += ["try:", "    RESULTS.append(%s)" % action, "except Exception as error:",
                     "    RESULTS.append(None)",
                     "    print('step %d raised %%s: %%s' %% (type(error).__name__, norm(str(error))))" % index]
    final = [line for d in divergence.differences if step_index(d.path) is None
             for line in _final_checks(d.path, d.reference, divergence.reference.get("final"))]
    checked += len(final)
    if not checked:  # nothing the script can check shows the difference: repro.py says it
        return None
    files = {path: source if isinstance(source, list) else source.splitlines()
             for path, source in case.get("files", {}).items()}
    entries = ", ".join("os.path.normpath(os.path.join(ROOT, %r))" % entry for entry in case.get("sys_path", ["."]))
    interpreters = ", ".join(getattr(finding, "reproduces_on", None) or [i.label for i in finding.interpreters])
    passes = ", ".join(getattr(finding, "passes_on", None) or [])
    title = finding_title(finding, target, reference)
    lines = [
        "#!/usr/bin/env python3",
        '"""%s' % docstring_text(title),
        "",
        docstring_text("Found by importlib-conformance: target %s against %s; reproduces on %s%s." % (
            target, reference, interpreters, "; not on " + passes if passes else "")),
        "`python finding.py` writes the files, installs the target, makes the calls and asserts what",
        docstring_text("%s does: it exits 1 while the difference is there. `python finding.py --without-target`"
                   % reference),
        "runs the same with the standard library alone, and passes.",
        '"""',
        "import builtins, importlib, importlib.util, os, sys, tempfile, types",
        "",
        "TARGET = %r" % target,
        "WITH_TARGET = '--without-target' not in sys.argv",
        "ROOT = os.path.realpath(tempfile.mkdtemp(prefix='finding-'))",
        "FILES = %s" % json.dumps(files, indent=1, ensure_ascii=False),
        "executed, RESULTS, failures = [], [], []",
        "ORIGINAL_IMPORT = builtins.__import__",
        "builtins.__executed__ = executed.append  # the case's modules record that they ran",
        "sys.dont_write_bytecode = True",
        "",
        "",
        "def write(path, lines):",
        "    full = os.path.join(ROOT, path)",
        "    os.makedirs(os.path.dirname(full), exist_ok=True)",
        "    with open(full, 'w', encoding='utf-8') as handle:",
        "        handle.write(''.join(line + '\\n' for line in lines))",
        "",
        "",
        "def norm(value):",
        "    if isinstance(value, list):",
        "        return [norm(item) for item in value]",
        "    if not isinstance(value, str):",
        "        return value",
        "    tag = getattr(sys.implementation, 'cache_tag', None) or '<none>'",
        "    return value.replace(ROOT, '<case>').replace(os.path.dirname(os.__file__), '<stdlib>').replace(tag, '<tag>')",
        "",
        "",
        "def kind(loader):",
        "    if loader is None:",
        "        return None",
        "    return (loader.__qualname__ if isinstance(loader, type) else type(loader).__name__).split('.')[-1].lstrip('_')",
        "",
        "",
        "def described_type(value):",
        "    \"\"\"What an observation's `type` says: module, loader, or the class (by module and name).\"\"\"",
        "    if isinstance(value, types.ModuleType):",
        "        return 'module'",
        "    if hasattr(value, 'exec_module') or hasattr(value, 'load_module'):",
        "        return 'loader'",
        "    module = getattr(type(value), '__module__', None)",
        "    name = type(value).__qualname__",
        "    return name if module in (None, 'builtins') else '%s.%s' % (module, name)",
        "",
        "",
        "def shown(value):",
        "    \"\"\"repr() of a value; of a module subclass only its class name (a lazily loaded module would",
        "    run its body on being looked at, as the observation never does).\"\"\"",
        "    if isinstance(value, types.ModuleType) and type(value) is not types.ModuleType:",
        "        return '<%s instance>' % type(value).__name__",
        "    return repr(value)",
        "",
        "",
        "def simple(value):",
        "    \"\"\"What an observation's `value` says: a simple value as it is, '<absent>' for others.\"\"\"",
        "    return norm(value) if value is None or isinstance(value, (bool, int, float, str)) else '<absent>'",
        "",
        "",
        "def check(condition, message):",
        "    if not condition:",
        "        failures.append(message)",
        "",
        "",
        "def load_target():",
        "    if not TARGET.endswith('.py'):",
        "        return importlib.import_module(TARGET)",
        "    sys.path.insert(0, os.path.dirname(TARGET))",
        "    spec = importlib.util.spec_from_file_location('finding_target', TARGET)",
        "    module = importlib.util.module_from_spec(spec)",
        "    spec.loader.exec_module(module)",
        "    sys.path.remove(os.path.dirname(TARGET))",
        "    return module",
        "",
        "",
        "target = load_target() if WITH_TARGET else None",
        "",
        "",
        "def function(name):",
        "    \"\"\"The target's own function if it has one, else importlib's (a hook changes those; and",
        "    __import__ is importlib's, unless a hook replaced the builtin one).\"\"\"",
        "    own = getattr(target, name, None)",
        "    if callable(own):",
        "        return own",
        "    if name == '__import__':",
        "        return importlib.__import__ if builtins.__import__ is ORIGINAL_IMPORT else builtins.__import__",
        "    return getattr(importlib, name)",
        "",
        "",
        "order = getattr(target, 'INSTALL', 'after-setup')",
        "if target is not None and order == 'before-setup' and hasattr(target, 'install'):",
        "    target.install()",
        "for path, lines in FILES.items():",
        "    write(path, lines)",
        *["os.makedirs(os.path.join(ROOT, %r), exist_ok=True)" % path for path in case.get("dirs", [])],
        "os.chdir(ROOT)",
        "sys.path[:0] = [%s]" % entries,
        "if target is not None and order == 'after-setup' and hasattr(target, 'install'):",
        "    target.install()",
        *body,
        *final,
        "if target is not None and hasattr(target, 'uninstall'):",
        "    target.uninstall()",
        "for failure in failures:",
        "    print('DIFFERS:', failure)",
        "print(%r if not failures else %r %% len(failures))" % ("as %s does" % reference,
                                                                "%%d difference(s) from %s" % _literal(reference)),
        "sys.exit(1 if failures else 0)",
        "",
    ]
    return "\n".join(lines)
