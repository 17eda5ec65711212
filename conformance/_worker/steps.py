"""Running one case on one target: set-up, steps, and an observation per step.

Runs inside the interpreter under test (in a throw-away child process):
stdlib only, Python 3.8 syntax. Argument values use the case format's value
encoding (see conformance/schemas/case.schema.json, "value").
"""
import builtins
import contextlib
import importlib.machinery
import os
import sys
import types
import warnings

from conformance._worker.calls import CALLS
from conformance._worker.contents import BASE_MTIME, describe_bytecode, is_bytecode
from conformance._worker.finders import FINDER_KINDS, path_hook
from conformance._worker.invariants import broken_invariants
from conformance._worker.lazy import LazyImports, available as lazy_available, pending as lazy_pending
from conformance._worker.observe import Observer, normalise_recursion, ran_away
from conformance._worker.threads import Threads, available as threads_available
from conformance._worker.tree import Tree
from conformance._worker.verbose import Messages, wanted as verbose_wanted

__all__ = ["CaseError", "Interrupted", "RunError", "Unresolved", "run_case"]



class Interrupted(BaseException):
    """A run that overran its time, stopped from outside (a timer, or a runtime's watchdog) in
    in-process isolation: not the case's exception, never observed as one."""


class CaseError(Exception):
    """The case data cannot be run (unknown op, bad reference): a harness error."""


class Unresolved(Exception):
    """A step's value names something this run does not have (a module no earlier step put in
    sys.modules): the case is valid, this interpreter took another path. The step is observed
    with outcome "unresolved", its call not made."""


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
        self.lazy = None  # the case's lazy imports in force (LazyImports), where it has some
        self.threads = Threads()  # a `threads` step's calls; its pause is the builtin __pause__
        self.verbose = verbose_wanted(case)  # each step observes the -v messages

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
                raise Unresolved("sys.modules[%r] is missing" % arg)
            return sys.modules[arg]
        if tag == "result":
            if not 0 <= arg < len(self.results):
                raise CaseError("value refers to the result of step %r, not run yet" % arg)
            return self.results[arg]
        if tag in ("dict", "globals"):
            return {key: self.value(item) for key, item in arg.items()}
        if tag == "namespace":
            return types.SimpleNamespace(**{k: self.value(v) for k, v in arg.items()})
        if tag == "implementation":  # a copy of sys.implementation, some attributes replaced
            return types.SimpleNamespace(**dict(vars(sys.implementation), **{
                k: self.value(v) for k, v in arg.items()}))
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

    def _plain(self, item):
        """A finder-log item as JSON: strings, None and lists of them as they are; anything else
        (a name the import system passed as it was given: bytes, say) described."""
        if item is None or isinstance(item, str):
            return item
        if isinstance(item, list) and all(isinstance(part, str) for part in item):
            return list(item)
        return self.observer.value(item)

    # -- set-up ------------------------------------------------------------
    def set_up(self):
        case = self.case
        if "lazy_imports" in case:
            self.lazy = LazyImports(case["lazy_imports"], self.finder_log)
        self.tree.materialise(case.get("files", {}), case.get("dirs", ()), case.get("read_only", ()))
        entries = []
        for entry in case.get("sys_path", ["."]):
            if isinstance(entry, str):
                entries.append(os.path.normpath(os.path.join(self.case_dir, entry)))
            else:
                entries.append(self.value(entry))
        sys.path[:0] = entries
        for name, data in case.get("sys_modules", {}).items():
            sys.modules[name] = self.value(data)
        for number, declared in enumerate(case.get("path_hooks", ())):
            entry = os.path.normpath(os.path.join(self.case_dir, declared["entry"]))
            sys.path_hooks.insert(0, path_hook(declared, declared.get("name", "hook%d" % number), self, entry))
        for number, declared in enumerate(case.get("meta_path", ())):
            kind = FINDER_KINDS.get(declared.get("finder"))
            if kind is None:
                raise CaseError("unknown meta_path finder kind %r" % declared.get("finder"))
            finder = kind(declared, declared.get("name", "finder%d" % number), self)
            if declared.get("position", "first") == "first":
                sys.meta_path.insert(0, finder)
            else:
                sys.meta_path.append(finder)

    # -- steps ---------------------------------------------------------------
    def step(self, step):
        op = step.get("op")
        called = [call.get("op") for call in step.get("calls", ())] if op == "threads" else [op]
        if any(name in CALLS and name not in self.target.functions for name in called) \
                or op == "threads" and not threads_available():
            return {"op": op, "outcome": "unsupported"}
        before, lazy_before = self.current, lazy_pending()
        del self.executed[:], self.finder_log[:]
        obs, runaway = {"op": op}, False
        messages = Messages(self.observer) if self.verbose else None  # only then: stderr left alone
        with warnings.catch_warnings(record=True) as caught, messages or contextlib.nullcontext():
            warnings.simplefilter("always")
            try:
                result = self._perform(op, step)
            except (CaseError, Interrupted):
                raise
            except Unresolved as missing:
                obs["outcome"], obs["unresolved"], result = "unresolved", str(missing), None
            except BaseException as exc:  # module bodies may raise anything
                obs["outcome"], result = "raised", None
                obs["exception"] = self.observer.exception(exc)
                runaway = ran_away(exc)
            else:
                obs["outcome"] = "returned" if op in CALLS else "done"
                if op in CALLS or op == "getattr":
                    obs["result"] = self.observer.value(result)
                elif op == "threads":
                    obs["threads"], result = [self._thread_observation(outcome) for outcome in result], None
            finally:
                self.target.deactivate()
        self.results.append(result)
        executed = list(self.executed)
        calls = [[self._plain(item) for item in call] for call in self.finder_log]
        warned, reports = self.observer.warnings(caught), messages.lines() if messages else []
        if "exception" in obs:
            executed, calls, warned, reports = normalise_recursion(obs["exception"], executed, calls, warned,
                                                                   runaway, reports)
        obs["executed"], obs["finder_calls"], obs["warnings"] = executed, calls, warned
        if self.verbose:
            obs["verbose"] = reports
        self.current = self.observer.snapshot()
        obs["modules"] = self.observer.modules_diff(before, self.current)
        lazy_after = lazy_pending()
        if lazy_after != lazy_before:  # only then: a run without lazy imports observes what it always did
            obs["lazy_modules"] = {"added": sorted(lazy_after - lazy_before),
                                   "removed": sorted(lazy_before - lazy_after)}
        if op in CALLS:
            added = {key: self.current[key] for key, _ in obs["modules"]["added"]}
            broken = broken_invariants(op, step.get("name"), result if obs["outcome"] == "returned" else None, added)
            if broken:  # only then: a run that keeps every promise observes what it always did
                obs["invariants"] = broken
        return obs

    def _thread_observation(self, outcome):
        """One thread of a `threads` step as JSON: its outcome, result or exception, and for a
        module result the module's own names when the call returned."""
        obs = {"outcome": outcome.outcome}
        if outcome.outcome == "returned":
            obs["result"] = self.observer.value(outcome.result)
            if outcome.names is not None:
                obs["names"] = outcome.names
        elif outcome.outcome == "raised":
            obs["exception"] = self.observer.exception(outcome.exception)
        return obs

    def _call(self, op, step):
        """The target's function for a call step, with its arguments bound (values resolved now)."""
        if op not in CALLS:
            raise CaseError("a threads step calls only the five functions, not %r" % (op,))
        positional, keywords = CALLS[op]
        args = [self.value(step[positional])] if positional else []
        kwargs = {key: self.value(step[key]) for key in keywords if key in step}
        function = self.target.functions[op]
        return lambda: function(*args, **kwargs)

    def _perform(self, op, step):
        if op in CALLS:
            call = self._call(op, step)
            self.target.activate()
            return call()
        if op == "threads":
            calls = [self._call(inner.get("op"), inner) for inner in step["calls"]]
            self.target.activate()
            return self.threads.run(calls)
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


def run_case(case, target, case_dir, emit):
    """Run a case's set-up and steps on target in this process; emit each observation.

    Returns the case outcome ("ok" or "unsupported"); observations of steps and of
    the final state are passed to emit(kind, data) as soon as they are made.
    """
    if "lazy_imports" in case and not lazy_available():
        return "unsupported"  # the interpreter has no lazy imports (CPython 3.15 added them)
    if case.get("optimize", 0) != getattr(sys.flags, "optimize", 0) or verbose_wanted(case) is None:
        return "unsupported"  # the host starts workers with -O / -OO / -v for such cases; a runtime cannot
    sys.dont_write_bytecode = not case.get("write_bytecode", False)
    run = _Run(case, target, case_dir)
    lazy_baseline = lazy_pending()
    builtins.__executed__ = run.executed.append
    builtins.__pause__ = run.threads.pause
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
        if run.lazy is not None:
            run.lazy.restore()
        _in_phase("uninstall", target.uninstall)
    final = _in_phase("final observation", run.observer.final_state, baseline, cache_baseline)
    lazy_left = lazy_pending() - lazy_baseline
    if lazy_left:  # only then, as for steps
        final["lazy_modules"] = sorted(lazy_left)
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
