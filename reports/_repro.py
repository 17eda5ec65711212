"""Standalone reproducer scripts: a case translated into plain Python that needs only the stdlib.

The script builds the case's files in a temporary directory, performs each step with direct
calls, and prints what happened. Run it with two targets (`stdlib`, `builtin`, or a target .py
file) or under two interpreters, and compare the output.
"""
from __future__ import annotations

import json
from typing import Any

__all__ = ["repro_script", "expression"]

_PRELUDE = r'''
import builtins, importlib, importlib.machinery, importlib.util, marshal, os, shutil, struct, sys, tempfile, types
import warnings
try:
    import importlib.metadata  # imported lazily by invalidate_caches() on 3.13; imported first here
except ImportError:
    pass

BASE_MTIME = 1500000000
CASE = tempfile.mkdtemp(prefix="repro-")
RESULTS = []
EXECUTED = []
builtins.__executed__ = EXECUTED.append
sys.dont_write_bytecode = True
_tick = [0]


class Opaque:
    def __init__(self, label):
        self.label = label

    def __repr__(self):
        return "<opaque %s>" % self.label


class Target:
    """The five functions a target supplies (None for a hook target: importlib's, as its hook
    leaves them), and its install()/uninstall() and INSTALL declaration, as the worker has them."""

    def __init__(self, functions, module=None):
        self.functions, self.module = functions, module
        self.order = getattr(module, "INSTALL", "after-setup")

    def call(self, op):
        if self.functions is not None:
            return self.functions[op]
        if op == "__import__":
            return lambda *args, **kwargs: step_import()(*args, **kwargs)
        return lambda *args, **kwargs: getattr(importlib, op)(*args, **kwargs)

    def supplies(self, op):
        return op in self.functions if self.functions is not None else op == "__import__" or hasattr(importlib, op)

    def install(self, when):
        if when == self.order and callable(getattr(self.module, "install", None)):
            self.module.install()

    def uninstall(self):
        if callable(getattr(self.module, "uninstall", None)):
            self.module.uninstall()


def step_import():
    """The __import__ a hook target's steps use: importlib's, unless the hook replaced the builtin."""
    return importlib.__import__ if builtins.__import__ is ORIGINAL_IMPORT else builtins.__import__


def load_target(spec):
    names = ("__import__", "import_module", "find_loader", "invalidate_caches", "reload")
    if spec == "stdlib":
        return Target({n: getattr(importlib, n) for n in names if hasattr(importlib, n)})
    if spec == "builtin":
        functions = {n: getattr(importlib, n) for n in names if hasattr(importlib, n)}
        functions["__import__"] = builtins.__import__
        return Target(functions)
    if not spec.endswith(".py") and os.sep not in spec:  # a dotted module name, as --target has it
        module = importlib.import_module(spec)
    else:
        path = os.path.abspath(spec)
        module_spec = importlib.util.spec_from_file_location("repro_target", path)
        module = importlib.util.module_from_spec(module_spec)
        sys.path.insert(0, os.path.dirname(path))  # as in the worker: a target may import its neighbours
        try:
            module_spec.loader.exec_module(module)
        finally:
            sys.path.remove(os.path.dirname(path))
    functions = {n: getattr(module, n) for n in names if callable(getattr(module, n, None))}
    return Target(functions or None, module)  # none: a hook target


def settime(path, when):
    os.utime(path, (when, when))


def case_path(relative):
    return os.path.join(CASE, relative.replace("{tag}", sys.implementation.cache_tag or "notag"))


def file_bytes(path, source):
    """A file's bytes: lines of text, or {"pyc": ...}: bytecode compiled here (PEP 552 header)."""
    text = lambda lines: "".join(line + "\n" for line in lines)
    if isinstance(source, list):
        return text(source).encode("utf-8")
    if "zip" in source:  # an archive: stored entries, each dated 2017-07-14 02:40:00
        import io, zipfile
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, entry in sorted(source["zip"].items()):
                name = name.replace("{tag}", sys.implementation.cache_tag or "notag")
                parts = name.split("/")[:-1]
                for depth in range(1, len(parts) + 1):
                    directory = "/".join(parts[:depth]) + "/"
                    if directory not in archive.namelist():
                        archive.writestr(zipfile.ZipInfo(directory, (2017, 7, 14, 2, 40, 0)), b"")
                archive.writestr(zipfile.ZipInfo(name, (2017, 7, 14, 2, 40, 0)),
                                 file_bytes(os.path.join(path, name), entry))
        return buffer.getvalue()
    pyc = source["pyc"]
    code = compile(text(pyc["source"]), path, "exec", dont_inherit=True)
    header_source = text(pyc.get("header_source", pyc["source"])).encode("utf-8")
    kind = pyc.get("invalidation", "timestamp")
    flags = {"timestamp": 0, "unchecked-hash": 1, "checked-hash": 3}[kind]
    header = importlib.util.MAGIC_NUMBER + struct.pack("<I", pyc.get("flags", flags))
    if kind == "timestamp":
        header += struct.pack("<II", BASE_MTIME + pyc.get("mtime_offset", 0), pyc.get("size", len(header_source)))
    else:
        header += importlib.util.source_hash(header_source)
    return (header + marshal.dumps(code))[:pyc.get("truncate")]


def write(relative, lines, keep_mtime=False, keep_file_mtime=False):
    path = case_path(relative)
    parent = os.path.dirname(path)
    existing = parent
    while not os.path.isdir(existing):
        existing = os.path.dirname(existing)
    before = os.stat(existing).st_mtime
    file_before = os.stat(path).st_mtime if keep_file_mtime and os.path.exists(path) else None
    os.makedirs(parent, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(file_bytes(path, lines))
    _tick[0] += 1
    settime(path, BASE_MTIME + 10 * _tick[0] if file_before is None else file_before)
    if parent != existing:
        settime(parent, BASE_MTIME + 10 * _tick[0])
    settime(existing, before if keep_mtime else BASE_MTIME + 10 * _tick[0])


def delete(relative, keep_mtime=False):
    path = case_path(relative)
    parent = os.path.dirname(path)
    before = os.stat(parent).st_mtime
    shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    _tick[0] += 1
    settime(parent, before if keep_mtime else BASE_MTIME + 10 * _tick[0])


def materialise(files, dirs):
    for relative in dirs:
        os.makedirs(os.path.join(CASE, relative), exist_ok=True)
    for relative, lines in sorted(files.items()):
        path = case_path(relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(file_bytes(path, lines))
    for top, _, names in os.walk(CASE):
        for name in names:
            settime(os.path.join(top, name), BASE_MTIME)
        settime(top, BASE_MTIME)


def make_stub(name, attrs, delete=()):
    module = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(module, key, value)
    for key in delete:
        delattr(module, key)
    return module


def make_spec(name, loader=None, origin=None, is_package=False, attrs=None):
    spec = importlib.machinery.ModuleSpec(name, loader, origin=origin, is_package=is_package)
    for key, value in (attrs or {}).items():
        setattr(spec, key, value)
    return spec


class Finder:
    """The case's meta-path finder: logs calls; `kind` says what find_spec does."""

    def __init__(self, kind, name, names=None, modules=None, packages=(), exception="RuntimeError"):
        self.kind, self.name, self.names = kind, name, names
        self.modules, self.packages, self.exception = modules or {}, packages, exception

    def find_spec(self, fullname, path=None, target=None):
        print("  finder %s: find_spec(%r)" % (self.name, fullname))
        if self.names is not None and fullname not in self.names:
            return None
        if self.kind == "raising":
            raise getattr(builtins, self.exception)("finder %s refuses %s" % (self.name, fullname))
        if self.kind == "loaderless":
            return importlib.machinery.ModuleSpec(fullname, None, is_package=fullname in self.packages)
        if self.kind == "serving" and fullname in self.modules:
            source = "".join(line + "\n" for line in self.modules[fullname])
            return importlib.util.spec_from_loader(fullname, SourceLoader(source),
                                                   is_package=fullname in self.packages)
        return None

    def invalidate_caches(self):
        print("  finder %s: invalidate_caches()" % self.name)
        if self.kind == "invalidate_raising":
            raise RuntimeError("finder %s cannot invalidate" % self.name)


class LegacyLoader:
    """load_module() only (PEP 302); with `filename`, get_filename() and is_package() too; a
    `bare` one sets no attributes and leaves a failed module in sys.modules."""

    def __init__(self, name, modules, packages=(), bare=False, filename=None):
        self.name, self.modules, self.packages, self.bare = name, modules, packages, bare
        if filename is not None:
            self.get_filename = lambda fullname: os.path.join(CASE, filename)
            self.is_package = lambda fullname: fullname in packages

    def load_module(self, fullname):
        print("  finder %s: load_module(%r)" % (self.name, fullname))
        made = fullname not in sys.modules
        module = sys.modules.setdefault(fullname, types.ModuleType(fullname))
        if not self.bare:
            module.__loader__ = self
            module.__package__ = fullname if fullname in self.packages else fullname.rpartition(".")[0]
            if fullname in self.packages:
                module.__path__ = []
        try:
            exec("".join(line + "\n" for line in self.modules[fullname]), module.__dict__)
        except BaseException:
            if made and not self.bare:
                sys.modules.pop(fullname, None)
            raise
        return sys.modules[fullname]


class LegacyFinder:
    """A meta-path finder with find_module() only (kind legacy_serving)."""

    def __init__(self, kind, name, names=None, modules=None, packages=(), bare=False, filename=None):
        self.name, self.names = name, names
        self.loader = LegacyLoader(name, modules or {}, packages, bare, filename)

    def find_module(self, fullname, path=None):
        print("  finder %s: find_module(%r)" % (self.name, fullname))
        if fullname in self.loader.modules and (self.names is None or fullname in self.names):
            return self.loader
        return None


class LegacyLoaderFinder(LegacyFinder):
    """find_spec() whose specs carry a load_module()-only loader (kind legacy_loader)."""

    def find_spec(self, fullname, path=None, target=None):
        print("  finder %s: find_spec(%r)" % (self.name, fullname))
        if fullname in self.loader.modules and (self.names is None or fullname in self.names):
            return importlib.machinery.ModuleSpec(fullname, self.loader, is_package=fullname in self.loader.packages)
        return None


def legacy_path_hook(kind, entry, name, modules, packages=()):
    """A path hook giving `entry` a path-entry finder with find_loader() or find_module() only."""
    loader = LegacyLoader(name, modules, packages)

    class EntryFinder:
        def invalidate_caches(self):
            print("  finder %s: invalidate_caches()" % name)

    def find(fullname):
        print("  finder %s: %s(%r)" % (name, kind[len("legacy_"):], fullname))
        return loader if fullname in modules else None

    if kind == "legacy_find_loader":
        EntryFinder.find_loader = lambda self, fullname: (find(fullname), [])
    else:
        EntryFinder.find_module = lambda self, fullname: find(fullname)

    def hook(path):
        if path != os.path.join(CASE, entry):
            raise ImportError("not the entry of %s" % name)
        return EntryFinder()
    return hook


class SourceLoader:
    def __init__(self, source):
        self.source = source

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(compile(self.source, "<serving %s>" % module.__name__, "exec"), module.__dict__)


def namespace(module):
    """A module's namespace, read without attribute access: a lazily loaded module
    (importlib.util.LazyLoader) would run on the first one, and printing it must not run it."""
    try:
        names = object.__getattribute__(module, "__dict__")
    except Exception:
        return {}
    return names if isinstance(names, dict) else {}


def from_library(value):
    """The interpreter's own modules (builtin, frozen, or from a file outside the case):
    which of them a step imports on the side is not the case's business."""
    if not isinstance(value, types.ModuleType):
        return False
    names = namespace(value)
    if names.get("__name__") in sys.builtin_module_names:
        return True
    if getattr(names.get("__spec__"), "origin", None) in ("built-in", "frozen"):
        return True
    path = names.get("__file__")
    return isinstance(path, str) and not os.path.realpath(path).startswith(os.path.realpath(CASE))


def describe(value):
    if isinstance(value, types.ModuleType):
        keys = [k for k, v in list(sys.modules.items()) if v is value]
        names = namespace(value)
        loader = names.get("__loader__")
        loader = loader.__name__ if isinstance(loader, type) else type(loader).__name__
        return "module %r (file %s, loader %s, in sys.modules as %s)" % (
            names.get("__name__"), str(names.get("__file__")).replace(CASE, "<case>"), loader.lstrip("_"), keys)
    return repr(value).replace(CASE, "<case>")


def step(index, text, action, target=None):
    """Perform one step; a call step (`target` given) runs with the target's functions in
    importlib and its __import__ as the builtin (a hook target's: as its hook leaves them)."""
    before = dict(sys.modules)
    del EXECUTED[:]
    saved, functions = {}, target.functions if target is not None else None
    hooked = builtins.__import__
    if functions:
        saved = {name: getattr(importlib, name, None) for name in functions}
        for name, function in functions.items():
            setattr(importlib, name, function)
        if "__import__" in functions:
            builtins.__import__ = functions["__import__"]
    elif target is not None:
        builtins.__import__ = step_import()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = action()
            print("step %d %s -> returned %s" % (index, text, describe(result)))
        except BaseException as exc:
            result = None
            print("step %d %s -> raised %s: %s" % (index, text, type(exc).__name__,
                                                  str(exc).replace(CASE, "<case>")))
        finally:
            builtins.__import__ = ORIGINAL_IMPORT if functions else hooked
            for name, function in saved.items():
                if function is None:
                    delattr(importlib, name)
                else:
                    setattr(importlib, name, function)
    RESULTS.append(result)
    for warning in caught:
        print("  warning %s: %s" % (warning.category.__name__, warning.message))
    added = [k for k in sys.modules if k not in before and not from_library(sys.modules[k])]
    removed = [k for k in before if k not in sys.modules]
    if added or removed:
        print("  sys.modules: added %s, removed %s" % (added, removed))
    if EXECUTED:
        print("  executed: %s" % EXECUTED)


def final_state(baseline):
    print("final state:")
    for key, value in list(sys.modules.items()):
        if key in baseline and baseline[key] is value or key not in baseline and from_library(value):
            continue
        parent, _, child = key.rpartition(".")
        bound = ""
        if parent and parent in sys.modules:
            bound = " (bound on parent)" if namespace(sys.modules[parent]).get(child) is value else " (not bound on parent)"
        attrs = {k: v for k, v in sorted(namespace(value).items())
                 if not k.startswith("__") and isinstance(v, (int, str, bool, type(None)))}
        print("  %s: %s%s %s" % (key, describe(value) if not isinstance(value, types.ModuleType)
                                 else "module", bound, attrs))
    for top, _, names in sorted(os.walk(CASE)):
        for name in sorted(n for n in names if n.endswith(".pyc")):
            with open(os.path.join(top, name), "rb") as handle:
                head = handle.read(16)
            print("  bytecode file %s: header %s" % (os.path.join(top, name).replace(CASE, "<case>"), head[4:].hex()))


ORIGINAL_IMPORT = builtins.__import__
'''


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
    if tag == "spec":
        return "make_spec(%r, %s, %s, %r, %s)" % (
            arg["name"], expression(arg.get("loader")), expression(arg.get("origin")),
            bool(arg.get("is_package", False)), expression({"dict": arg.get("attrs", {})}))
    if tag == "stub":
        return "make_stub(%r, %s, %r)" % (arg["name"], expression({"dict": arg.get("attrs", {})}),
                                          list(arg.get("delete", ())))
    raise ValueError("unknown value tag %r" % tag)


_CALLS = {"__import__": ("name", ("globals", "locals", "fromlist", "level")),
          "import_module": ("name", ("package",)), "find_loader": ("name", ("path",)),
          "invalidate_caches": (None, ()), "reload": ("module", ())}


def _lines(source) -> list[str] | dict:
    """A file's source as the script writes it: lines, or a {"pyc": ...} description."""
    if isinstance(source, dict) and "zip" in source:
        return {"zip": {name: _lines(entry) for name, entry in source["zip"].items()}}
    if isinstance(source, dict):
        return {"pyc": {key: _lines(value) if key.endswith("source") else value
                        for key, value in source["pyc"].items()}}
    return source if isinstance(source, list) else source.splitlines()


def _step_code(index: int, step: dict) -> str:
    op = step["op"]
    if op in _CALLS:
        positional, keywords = _CALLS[op]
        args = [expression(step[positional])] if positional else []
        args += ["%s=%s" % (k, expression(step[k])) for k in keywords if k in step]
        call = "T.call(%r)(%s)" % (op, ", ".join(args))
        shown = "%s(%s)" % (op, ", ".join(args))
        return ("    if not T.supplies(%r):\n        print('step %d %s -> unsupported by this target')\n"
                "        return\n    step(%d, %r, lambda: %s, T)" % (op, index, op, index, shown, call))
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
            arguments += ", exception=%r" % finder.get("exception", "RuntimeError")
        where = "0, " if finder.get("position", "first") == "first" else "len(sys.meta_path), "
        finders.append("    sys.meta_path.insert(%s%s(%s))" % (where, legacy or "Finder", arguments))
    seeds = ["    sys.modules[%r] = %s" % (name, expression(value))
             for name, value in case.get("sys_modules", {}).items()]
    steps = [_step_code(index, step) for index, step in enumerate(case.get("steps", []))]
    header = '#!/usr/bin/env python3\n"""Reproducer for case %s%s.\n\nUsage: python repro.py [stdlib|builtin|TARGET.py|dotted.target]\nPrints each step\'s outcome and the final state; run it with two targets or under two\ninterpreters and compare. A target\'s install() and uninstall() run as in the worker (INSTALL says\nwhen). Needs only the standard library (and the target).\n"""\n' % (
        case.get("id", "?"), (": " + title) if title else "")
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
        "    try:",
        '        main(sys.argv[1] if len(sys.argv) > 1 else "stdlib")',
        "    finally:",
        "        shutil.rmtree(CASE, ignore_errors=True)",
        "",
    ]
    return header + _PRELUDE + "\n\n" + "\n".join(body)
