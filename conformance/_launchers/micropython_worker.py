# The worker for MicroPython (run inside MicroPython by micropython_launcher.mjs): MicroPython
# cannot run the CPython worker (no importlib, no spec, no meta path), so this small one runs the
# part of the case format MicroPython can express: files and directories, sys.path entries,
# `__import__` with level 0 (and import statements in module bodies), file edits and sys.modules
# deletions. Anything else makes the case unsupported. Its observations have the CPython worker's
# shape for the fields MicroPython has; what it has not by design (specs, loaders, warnings,
# finder calls, path-entry finders, ordered sys.modules) is the comparison profile (PROFILE),
# which the hello reply declares and the host sets aside. PROTOCOL_VERSION is set by the launcher
# (from conformance/schemas/protocol.schema.json) before this file runs.
import builtins
import json
import os
import sys

SUPPORTED_KEYS = ("id", "description", "refs", "tags", "python", "changes", "files", "dirs", "sys_path", "steps")
EDITS = ("write", "delete", "mkdir", "del_module")
PROFILE = {
    "steps[*].result.__spec__*": "MicroPython has no module specs",
    "steps[*].result.__loader__": "MicroPython has no loaders",
    "steps[*].result.__cached__": "MicroPython writes no bytecode caches",
    "steps[*].result.__package__": "MicroPython sets no __package__",
    "steps[*].result.__path__*": "MicroPython packages have no __path__ list",
    "steps[*].warnings": "MicroPython has no warnings machinery for imports",
    "steps[*].finder_calls": "MicroPython has no meta path",
    "steps[*].exception.name": "MicroPython's ImportError has no name attribute",
    "steps[*].exception.path": "MicroPython's ImportError has no path attribute",
    "steps[*].exception.chain": "MicroPython does not chain exceptions (__context__)",
    "final.path_importer_cache*": "MicroPython has no path-entry finders",
    "final.order": "MicroPython's sys.modules is not ordered as CPython's",
}
_counter = [0]


class Unsupported(Exception):
    pass


def _tree_remove(path):
    try:
        mode = os.stat(path)[0]
    except OSError:
        return
    if mode & 0x4000:
        for name in os.listdir(path):
            _tree_remove(path + "/" + name)
        os.rmdir(path)
    else:
        os.remove(path)


def _makedirs(path):
    parts = [p for p in path.split("/") if p]
    current = ""
    for part in parts:
        current += "/" + part
        try:
            os.mkdir(current)
        except OSError:
            pass


def _write(case_dir, path, source):
    text = source if isinstance(source, str) else "".join(line + "\n" for line in source)
    full = case_dir + "/" + path
    _makedirs(full.rsplit("/", 1)[0])
    with open(full, "w") as handle:
        handle.write(text)


class Run:
    def __init__(self, case, case_dir):
        self.case, self.case_dir = case, case_dir
        self.labels, self.kept = {}, []
        self.executed = []

    def text(self, value):
        return str(value).replace(self.case_dir, "<case>")

    def label(self, module):
        key = id(module)
        if key not in self.labels:
            where = str(getattr(module, "__file__", getattr(module, "__path__", "")))
            library = not where.startswith(self.case_dir)
            same = len([v for v in self.labels.values() if v.split("#")[0] == "m:" + module.__name__])
            self.labels[key] = ("lib:%s" % module.__name__) if library else "m:%s%s" % (
                module.__name__, "#%d" % (same + 1) if same else "")
            self.kept.append(module)
        return self.labels[key]

    def value(self, obj):
        if type(obj).__name__ == "module":
            names = [k for k, v in sys.modules.items() if v is obj]
            return {"__name__": obj.__name__, "__file__": self.text(getattr(obj, "__file__", "<missing>")),
                    "id": self.label(obj), "in_sys_modules": names, "type": "module", "repr": self.text(repr(obj))}
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return {"type": type(obj).__name__ if obj is not None else "NoneType", "value": obj}
        return {"type": type(obj).__name__, "repr": self.text(repr(obj))}

    def attributes(self, module):
        out = {}
        for name in sorted(dir(module)):
            if name.startswith("__") and name.endswith("__"):
                continue
            value = getattr(module, name)
            if type(value).__name__ == "module":
                out[name] = "module " + self.label(value)
            elif value is None or isinstance(value, (bool, int, float, str)):
                out[name] = value
            else:
                out[name] = "<%s>" % type(value).__name__
        return out

    def binding(self, key):
        parent_name, _, child = key.rpartition(".")
        if not parent_name:
            return None
        parent = sys.modules.get(parent_name)
        if parent is None:
            return "no parent in sys.modules" if parent_name not in sys.modules else "unbound"
        bound = getattr(parent, child, _MISSING)
        if bound is _MISSING:
            return "unbound"
        if bound is sys.modules.get(key):
            return "bound"
        return "bound to " + (self.label(bound) if type(bound).__name__ == "module" else type(bound).__name__)

    def exception(self, error):
        return {"type": type(error).__name__, "message": self.text(error.args[0] if len(error.args) == 1
                                                                    else str(error)), "chain": []}

    def step(self, step):
        op = step["op"]
        before = dict(sys.modules)
        del self.executed[:]
        obs = {"op": op}
        try:
            if op == "__import__":
                if step.get("level", 0) != 0 or "locals" in step or "globals" in step:
                    raise Unsupported()
                fromlist = step.get("fromlist") or []
                if not isinstance(fromlist, list) or not isinstance(step["name"], str):
                    raise Unsupported()
                result = __import__(step["name"], None, None, tuple(fromlist), 0)
                obs["outcome"], obs["result"] = "returned", self.value(result)
            elif op == "write":
                _write(self.case_dir, step["path"], step["source"])
                obs["outcome"] = "done"
            elif op == "delete":
                _tree_remove(self.case_dir + "/" + step["path"])
                obs["outcome"] = "done"
            elif op == "mkdir":
                _makedirs(self.case_dir + "/" + step["path"])
                obs["outcome"] = "done"
            elif op == "del_module":
                del sys.modules[step["name"]]
                obs["outcome"] = "done"
            else:
                raise Unsupported()
        except Unsupported:
            raise
        except BaseException as error:
            obs["outcome"] = "raised"
            obs["exception"] = self.exception(error)
        obs["executed"] = list(self.executed)
        new = [k for k in sys.modules if k not in before]  # parents first, as CPython adds them
        new = [k for _, _, k in sorted((k.count("."), i, k) for i, k in enumerate(new))]
        added = [[k, self.label(sys.modules[k]) if type(sys.modules[k]).__name__ == "module"
                  else self.value(sys.modules[k])] for k in new]
        removed = sorted(k for k in before if k not in sys.modules)
        replaced = sorted(k for k in before if k in sys.modules and sys.modules[k] is not before[k])
        obs["modules"] = {"added": added, "removed": removed, "replaced": replaced}
        return obs

    def final(self, baseline):
        modules = {}
        for key, value in sys.modules.items():
            if baseline.get(key, _MISSING) is value:
                continue
            entry = {"bound": self.binding(key)}
            if type(value).__name__ == "module":
                entry["id"] = self.label(value)
                if entry["id"].startswith("lib:"):  # as observe.py: a library module only in place of the case's
                    old = baseline.get(key)
                    if old is None or (type(old).__name__ == "module" and self.label(old).startswith("lib:")):
                        continue
                    entry["library"] = True
                else:
                    entry["attrs"] = self.attributes(value)
            else:
                entry["value"] = self.value(value)
            modules[key] = entry
        removed = [key for key in baseline if key not in sys.modules]
        return {"modules": modules, "order": [k for k in sys.modules if k in modules], "removed": removed,
                "path_importer_cache": {}}


_MISSING = object()


def run_case(case):
    """One run of `case`, the sys.modules and sys.path it found put back afterwards."""
    result = {"target": "stdlib", "outcome": None, "detail": None, "steps": [], "final": None}
    if any(key not in SUPPORTED_KEYS for key in case):
        result["outcome"] = "unsupported"
        return result
    _counter[0] += 1
    case_dir = "/conformance-case-%d" % _counter[0]
    saved_modules, saved_path = dict(sys.modules), list(sys.path)
    run = Run(case, case_dir)
    try:
        _makedirs(case_dir)
        for path, source in case.get("files", {}).items():
            _write(case_dir, path, source)
        for path in case.get("dirs", []):
            _makedirs(case_dir + "/" + path)
        entries = []
        for entry in case.get("sys_path", ["."]):
            if not isinstance(entry, str):
                raise Unsupported()
            entries.append(case_dir if entry in (".", "") else case_dir + "/" + entry)
        sys.path[:0] = entries
        os.chdir(case_dir)
        builtins.__executed__ = run.executed.append
        baseline = dict(sys.modules)
        for step in case["steps"]:
            result["steps"].append(run.step(step))
        result["final"] = run.final(baseline)
        result["outcome"] = "ok"
    except Unsupported:
        result["outcome"], result["steps"], result["final"] = "unsupported", [], None
    finally:
        os.chdir("/")
        sys.modules.clear()
        sys.modules.update(saved_modules)
        sys.path[:] = saved_path
        _tree_remove(case_dir)
    return result


def reply_to(line):
    request = json.loads(line)
    op = request.get("op")
    if op == "hello":
        version = sys.implementation.version
        reply = {"op": "hello", "protocol": PROTOCOL_VERSION, "implementation": "micropython",  # noqa: F821 (set by the launcher)
                 "version": [3, 4, 0], "executable": "micropython", "isolation": "inprocess",
                 "functions": ["__import__"], "platform": sys.platform, "maxsize": sys.maxsize,
                 "runtime": "micropython %d.%d.%d" % (version[0], version[1], version[2]), "ignore": PROFILE}
    elif op == "describe":
        if request["target"] != "stdlib":
            return json.dumps({"op": "error", "message": "MicroPython runs only the stdlib target"})
        reply = {"op": "target", "spec": "stdlib", "functions": ["__import__"], "hook": False,
                 "install": "after-setup", "ignore": {}}
    elif op == "run":
        if any(target != "stdlib" for target in request["targets"]):
            return json.dumps({"op": "error", "id": request.get("id"),
                               "message": "MicroPython runs only the stdlib target"})
        reply = {"op": "result", "id": request["id"], "results": [run_case(request["case"])
                                                                  for _ in request["targets"]]}
    else:
        reply = {"op": "error", "message": "unknown request op %r" % (op,)}
    return json.dumps(reply)
