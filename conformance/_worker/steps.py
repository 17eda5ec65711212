"""Running one case on one target: set-up, steps, and an observation per step.

Runs inside the interpreter under test (in a throw-away child process):
stdlib only, Python 3.8 syntax. Argument values use the case format's value
encoding (see conformance/schemas/case.schema.json, "value").
"""
import builtins
import importlib.machinery
import importlib.util
import os
import sys
import types
import warnings

from conformance._worker.observe import Observer
from conformance._worker.bytecode import describe_bytecode, is_bytecode
from conformance._worker.tree import BASE_MTIME, Tree, source_text

__all__ = ["CaseError", "Interrupted", "RunError", "normalise_recursion", "ran_away", "run_case"]

CALLS = {
    # op: (positional parameter, keyword parameters)
    "__import__": ("name", ("globals", "locals", "fromlist", "level")),
    "import_module": ("name", ("package",)),
    "find_loader": ("name", ("path",)),
    "invalidate_caches": (None, ()),
    "reload": ("module", ()),
}


class Interrupted(BaseException):
    """A run that overran its time, stopped from outside (a timer, or a runtime's watchdog) in
    in-process isolation: not the case's exception, never observed as one."""


class CaseError(Exception):
    """The case data cannot be run (unknown op, bad reference): a harness error."""


class RunError(Exception):
    """Something other than a step's call raised (set-up, install, an observation...): the run
    cannot go on. `phase` says where, `error` is what was raised."""

    def __init__(self, phase, error):
        Exception.__init__(self, phase, error)
        self.phase, self.error = phase, error


class Opaque(object):
    """A non-module object for sys.modules entries and arguments."""

    def __init__(self, label):
        self.label = label

    def __repr__(self):
        return "<opaque %s>" % self.label


class _Run(object):
    def __init__(self, case, target, case_dir):
        self.case, self.target, self.case_dir = case, target, case_dir
        self.tree = Tree(case_dir)
        self.observer = Observer(case_dir)
        self.results = []
        self.current = {}  # sys.modules as of the end of the last step (a snapshot)
        self.executed = []
        self.finder_log = []

    # -- values ------------------------------------------------------------
    def value(self, data):
        """Decode the case format's value encoding into a Python object."""
        if isinstance(data, list):
            return [self.value(item) for item in data]
        if not isinstance(data, dict):
            return data
        if len(data) != 1:
            raise CaseError("a tagged value has exactly one key, got %s" % sorted(data))
        (tag, arg), = data.items()
        if tag == "literal":
            return arg
        if tag == "tuple":
            return tuple(self.value(item) for item in arg)
        if tag == "bytes":
            return arg.encode("utf-8")
        if tag == "object":
            return Opaque(arg)
        if tag == "path":
            return os.path.join(self.case_dir, arg) if arg else self.case_dir
        if tag == "module":
            if arg not in sys.modules:
                raise CaseError("value refers to sys.modules[%r], which is missing" % arg)
            return sys.modules[arg]
        if tag == "result":
            if not 0 <= arg < len(self.results):
                raise CaseError("value refers to the result of step %r, not run yet" % arg)
            return self.results[arg]
        if tag in ("dict", "globals"):
            return {key: self.value(item) for key, item in arg.items()}
        if tag == "namespace":
            return types.SimpleNamespace(**{k: self.value(v) for k, v in arg.items()})
        if tag == "spec":
            return self.spec(arg)
        if tag == "stub":
            return self.stub(arg)
        raise CaseError("unknown value tag %r" % tag)

    def spec(self, arg):
        spec = importlib.machinery.ModuleSpec(
            arg["name"], self.value(arg.get("loader")), origin=self.value(arg.get("origin")),
            is_package=bool(arg.get("is_package", False)))
        for key, item in arg.get("attrs", {}).items():
            setattr(spec, key, self.value(item))
        return spec

    def stub(self, arg):
        module = types.ModuleType(arg["name"])
        for key, item in arg.get("attrs", {}).items():
            setattr(module, key, self.value(item))
        for key in arg.get("delete", ()):
            delattr(module, key)
        return module

    # -- set-up ------------------------------------------------------------
    def set_up(self):
        case = self.case
        self.tree.materialise(case.get("files", {}), case.get("dirs", ()))
        entries = []
        for entry in case.get("sys_path", ["."]):
            if isinstance(entry, str):
                entries.append(os.path.normpath(os.path.join(self.case_dir, entry)))
            else:
                entries.append(self.value(entry))
        sys.path[:0] = entries
        for name, data in case.get("sys_modules", {}).items():
            sys.modules[name] = self.value(data)
        for number, spec in enumerate(case.get("path_hooks", ())):
            entry = os.path.normpath(os.path.join(self.case_dir, spec["entry"]))
            sys.path_hooks.insert(0, _make_path_hook(spec, spec.get("name", "hook%d" % number), self, entry))
        for number, spec in enumerate(case.get("meta_path", ())):
            finder = _make_finder(spec, spec.get("name", "finder%d" % number), self)
            if spec.get("position", "first") == "first":
                sys.meta_path.insert(0, finder)
            else:
                sys.meta_path.append(finder)

    # -- steps ---------------------------------------------------------------
    def step(self, step):
        op = step.get("op")
        if op in CALLS and op not in self.target.functions:
            return {"op": op, "outcome": "unsupported"}
        before = self.current
        del self.executed[:], self.finder_log[:]
        obs, runaway = {"op": op}, False
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = self._perform(op, step)
            except (CaseError, Interrupted):
                raise
            except BaseException as exc:  # module bodies may raise anything
                obs["outcome"], result = "raised", None
                obs["exception"] = self.observer.exception(exc)
                runaway = ran_away(exc)
            else:
                obs["outcome"] = "returned" if op in CALLS else "done"
                if op in CALLS or op == "getattr":
                    obs["result"] = self.observer.value(result)
            finally:
                self.target.deactivate()
        self.results.append(result)
        executed, calls = list(self.executed), [list(call) for call in self.finder_log]
        warned = self.observer.warnings(caught)
        if "exception" in obs:
            executed, calls, warned = normalise_recursion(obs["exception"], executed, calls, warned, runaway)
        obs["executed"], obs["finder_calls"], obs["warnings"] = executed, calls, warned
        self.current = self.observer.snapshot()
        obs["modules"] = self.observer.modules_diff(before, self.current)
        return obs

    def _perform(self, op, step):
        if op in CALLS:
            positional, keywords = CALLS[op]
            args = [self.value(step[positional])] if positional else []
            kwargs = {key: self.value(step[key]) for key in keywords if key in step}
            function = self.target.functions[op]
            self.target.activate()
            return function(*args, **kwargs)
        if op == "write":
            return self.tree.write(step["path"], step["source"], step.get("keep_mtime", False),
                                   step.get("keep_file_mtime", False))
        if op == "delete":
            return self.tree.delete(step["path"], step.get("keep_mtime", False))
        if op == "mkdir":
            return self.tree.mkdir(step["path"], step.get("keep_mtime", False))
        if op == "del_module":
            del sys.modules[step["name"]]
        elif op == "set_module":
            sys.modules[step["name"]] = self.value(step["value"])
        elif op == "del_attr":
            delattr(sys.modules[step["module"]], step["attr"])
        elif op == "set_attr":
            setattr(sys.modules[step["module"]], step["attr"], self.value(step["value"]))
        elif op == "getattr":
            return getattr(sys.modules[step["module"]], step["attr"])
        elif op == "path_insert":
            entry = step["entry"]
            entry = os.path.join(self.case_dir, entry) if isinstance(entry, str) else self.value(entry)
            sys.path.insert(step.get("index", 0), entry)
        else:
            raise CaseError("unknown step op %r" % (op,))
        return None


def ran_away(exc):
    """Whether a RecursionError is anywhere in the cause/context chain of `exc`, however long
    (an observation shows only its first links)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, RecursionError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ if exc.__cause__ is not None else exc.__context__
    return False


def normalise_recursion(exception, executed, calls, warned, runaway=False):
    """A runaway import ends in RecursionError (raised, or in the chain of what was raised, which
    `runaway` says where the chain shown is too short to reach it). How deep it went, so how often
    each module ran, each finder was called, each warning was given and each link of the chain was
    repeated, and what was being handled (or opened) where the limit struck, depends on how many frames the
    implementation (or a hook) spends per import, not on the case: keep the facts, not the depth.
    Returns executed, calls and warned (the warnings given), normalised alike."""
    chain = exception.get("chain", [])
    recursion_links = [link for link in chain if link[1] == "RecursionError"]
    if exception.get("type") != "RecursionError" and not recursion_links and not runaway:
        return executed, calls, warned
    if exception.get("type") == "RecursionError":
        exception["message"] = "<recursion limit>"
        chain = []  # what was being handled depends on where the limit struck (another RecursionError, or not)
    elif recursion_links:
        chain = chain[:chain.index(recursion_links[0]) + 1]
    exception["chain"] = _distinct(chain)
    # a file the limit struck while it was being opened: its ResourceWarning too
    warned = [warning for warning in _distinct(warned) if warning[0] != "ResourceWarning"]
    return _distinct(executed), _distinct(calls), warned


def _distinct(items):
    """Items in order of first appearance, each once."""
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def run_case(case, target, case_dir, emit):
    """Run a case's set-up and steps on target in this process; emit each observation.

    Returns the case outcome ("ok" or "unsupported"); observations of steps and of
    the final state are passed to emit(kind, data) as soon as they are made.
    """
    sys.dont_write_bytecode = not case.get("write_bytecode", False)
    run = _Run(case, target, case_dir)
    builtins.__executed__ = run.executed.append
    baseline = run.observer.snapshot()
    cache_baseline = dict(sys.path_importer_cache)
    # entries the environment put on sys.path that are no paths of the case's (a setuptools
    # editable install's "__editable__...__path_hook__" marker, added by a .pth file where a
    # target gets site-packages): their cache entries are the environment's, not the case's
    run.observer.environment_entries = {entry for entry in sys.path
                                        if isinstance(entry, str) and entry and not os.path.isabs(entry)}
    if target.install_order == "before-setup":  # as a hook installed at start-up would be
        _in_phase("install", target.install)
    _in_phase("set-up", run.set_up)
    if target.install_order == "after-setup":
        _in_phase("install", target.install)
    run.current = run.observer.snapshot()  # each step's "after" is the next step's "before"
    outcome = "ok"
    try:
        for number, step in enumerate(case.get("steps", ())):
            obs = _in_phase("step %d" % number, run.step, step)  # the call's own errors are observed
            emit("step", obs)
            if obs["outcome"] == "unsupported":
                outcome = "unsupported"
                break
    finally:
        _in_phase("uninstall", target.uninstall)
    final = _in_phase("final observation", run.observer.final_state, baseline, cache_baseline)
    if _uses_bytecode(case):
        final["bytecode"] = describe_bytecode(case_dir, BASE_MTIME, run.observer.text)
    emit("final", final)
    return outcome


def _uses_bytecode(case):
    """A case that writes bytecode or ships some: its final observation lists the .pyc files."""
    sources = list(case.get("files", {}).values()) + [step.get("source") for step in case.get("steps", ())]
    return case.get("write_bytecode", False) or any(is_bytecode(source) for source in sources)


def _in_phase(phase, function, *args):
    """function(*args); what it raises (but a CaseError, the case's own fault) as RunError."""
    try:
        return function(*args)
    except (CaseError, RunError, Interrupted):
        raise
    except BaseException as exc:
        raise RunError(phase, exc)


# -- meta-path finders for set-up --------------------------------------------
class _Finder(object):
    """A meta-path finder that logs its calls; kinds differ in what find_spec does."""

    def __init__(self, spec, name, run):
        self.spec, self.name, self.run = spec, name, run

    def find_spec(self, fullname, path=None, target=None):
        self.run.finder_log.append((self.name, "find_spec", fullname))
        kind = self.spec["finder"]
        names = self.spec.get("names")
        if names is not None and fullname not in names:
            return None
        if kind == "raising":
            raise getattr(builtins, self.spec.get("exception", "RuntimeError"))(
                self.spec.get("message", "finder %s refuses %s" % (self.name, fullname)))
        if kind == "loaderless":
            return importlib.machinery.ModuleSpec(
                fullname, None, is_package=fullname in self.spec.get("packages", ()))
        if kind == "serving" and fullname in self.spec.get("modules", {}):
            source = source_text(self.spec["modules"][fullname])
            is_package = fullname in self.spec.get("packages", ())
            return importlib.util.spec_from_loader(
                fullname, _SourceStringLoader(source), is_package=is_package)
        return None

    def invalidate_caches(self):
        self.run.finder_log.append((self.name, "invalidate_caches", None))
        if self.spec["finder"] == "invalidate_raising":
            raise RuntimeError("finder %s cannot invalidate" % self.name)


class _FinderWithNoneInvalidate(_Finder):
    """A finder whose invalidate_caches attribute exists but is None."""

    invalidate_caches = None


class _FinderWithoutInvalidate(_Finder):
    """A finder with no invalidate_caches attribute at all."""

    def __getattribute__(self, attr):
        if attr == "invalidate_caches":
            raise AttributeError(attr)
        return object.__getattribute__(self, attr)


class _LegacyFinder(_Finder):
    """A meta-path finder of before Python 3.4: find_module() only, no find_spec(); it finds
    the `modules` it serves with a loader that has load_module() only."""

    def __getattribute__(self, attr):
        if attr == "find_spec":
            raise AttributeError(attr)
        return object.__getattribute__(self, attr)

    def find_module(self, fullname, path=None):
        self.run.finder_log.append((self.name, "find_module", fullname))
        if fullname in self.spec.get("modules", {}) and fullname in self.spec.get("names", [fullname]):
            return _LegacyLoader(self.spec, self.name, self.run)
        return None


class _LegacyLoaderFinder(_Finder):
    """A meta-path finder whose specs carry a loader of before Python 3.4 (load_module only)."""

    def find_spec(self, fullname, path=None, target=None):
        self.run.finder_log.append((self.name, "find_spec", fullname))
        if fullname in self.spec.get("modules", {}) and fullname in self.spec.get("names", [fullname]):
            return importlib.machinery.ModuleSpec(fullname, _LegacyLoader(self.spec, self.name, self.run),
                                                  is_package=fullname in self.spec.get("packages", ()))
        return None


class _LegacyLoader(object):
    """load_module() as PEP 302 describes it: the module in sys.modules (made if missing), its
    attributes set, its source executed; on failure a module it made leaves sys.modules."""

    def __init__(self, spec, name, run):
        self.spec, self.name, self.run = spec, name, run

    def __getattribute__(self, attr):
        if attr in ("get_filename", "is_package") and "filename" not in object.__getattribute__(self, "spec"):
            raise AttributeError(attr)
        return object.__getattribute__(self, attr)

    def get_filename(self, fullname):
        """With the finder's `filename`: the loader names a file (relative to the case directory)."""
        return os.path.join(self.run.case_dir, self.spec["filename"])

    def is_package(self, fullname):
        return fullname in self.spec.get("packages", ())

    def load_module(self, fullname):
        """A `bare` loader sets no attributes and leaves a failed module in sys.modules."""
        self.run.finder_log.append((self.name, "load_module", fullname))
        bare = self.spec.get("bare", False)
        made = fullname not in sys.modules
        module = sys.modules.setdefault(fullname, types.ModuleType(fullname)) if made else sys.modules[fullname]
        if fullname in self.spec.get("packages", ()):
            module.__path__ = []  # a bare loader sets only this
        if not bare:
            module.__loader__ = self
            module.__package__ = fullname if fullname in self.spec.get("packages", ()) else fullname.rpartition(".")[0]
        try:
            exec(compile(source_text(self.spec["modules"][fullname]), "<legacy %s>" % fullname, "exec"),
                 module.__dict__)
        except BaseException:
            if made and not bare:
                sys.modules.pop(fullname, None)
            raise
        return sys.modules[fullname]


class _LegacyPathEntryFinder(object):
    """A path-entry finder of before Python 3.4, for one sys.path entry: find_loader() (returns
    (loader, portions)) or find_module() only, as `hook` says."""

    def __init__(self, spec, name, run):
        self.spec, self.name, self.run = spec, name, run

    def __getattribute__(self, attr):
        hook = object.__getattribute__(self, "spec")["hook"]
        if attr == "find_spec" or (attr == "find_loader" and hook != "legacy_find_loader") or (
                attr == "find_module" and hook != "legacy_find_module"):
            raise AttributeError(attr)
        return object.__getattribute__(self, attr)

    def _loader(self, fullname, method):
        self.run.finder_log.append((self.name, method, fullname))
        if fullname in self.spec.get("modules", {}):
            return _LegacyLoader(self.spec, self.name, self.run)
        return None

    def find_loader(self, fullname):
        """With `portions` for the name: no loader, and those directories (relative to the case
        directory) as namespace portions."""
        loader = self._loader(fullname, "find_loader")
        portions = self.spec.get("portions", {}).get(fullname, [])
        return loader, [os.path.join(self.run.case_dir, portion) for portion in portions]

    def find_module(self, fullname):
        return self._loader(fullname, "find_module")

    def invalidate_caches(self):
        self.run.finder_log.append((self.name, "invalidate_caches", None))


def _make_path_hook(spec, name, run, entry):
    """A sys.path_hooks callable that gives the one path `entry` a legacy path-entry finder."""
    def hook(path):
        if path != entry:
            raise ImportError("not the entry of %s" % name)
        return _LegacyPathEntryFinder(spec, name, run)
    return hook


class _SourceStringLoader(object):
    def __init__(self, source):
        self.source = source

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(compile(self.source, "<serving %s>" % module.__name__, "exec"), module.__dict__)


def _make_finder(spec, name, run):
    kinds = {"recording": _Finder, "raising": _Finder, "serving": _Finder, "loaderless": _Finder,
             "invalidate_raising": _Finder, "no_invalidate": _FinderWithoutInvalidate,
             "invalidate_none": _FinderWithNoneInvalidate, "legacy_serving": _LegacyFinder,
             "legacy_loader": _LegacyLoaderFinder}
    if spec.get("finder") not in kinds:
        raise CaseError("unknown meta_path finder kind %r" % spec.get("finder"))
    return kinds[spec["finder"]](spec, name, run)
