"""The interpreter's import state, saved before a run and put back after it, for runs that share a
process: in-process isolation (the worker's own process), and a `together` request (a case's
runs one after another in one forked process).

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax. docs/protocol.md lists
what is restored and what is not. Each piece has a name (PIECES); the environment variable
CONFORMANCE_NO_RESTORE (names, comma-separated) leaves those pieces unrestored, so that a test can
show that each restore is needed (tests/slow/test_restore.py).
"""
import gc
import os
import sys
import warnings

__all__ = ["PIECES", "ImportState", "threads"]

_CONTAINERS = ("modules", "path", "meta_path", "path_hooks", "path_importer_cache")
PIECES = _CONTAINERS + ("module_attributes", "machinery_classes", "pycache_prefix", "implementation",
                        "dont_write_bytecode",
                        "recursion_limit", "cwd", "environ", "warnings", "trace", "lazy")
_ABSENT = object()
_SKIPPED = frozenset(os.environ.get("CONFORMANCE_NO_RESTORE", "").replace(" ", "").split(",")) - {""}
# the modules whose classes are the import machinery (a run may patch a method of one)
_MACHINERY = ("importlib._bootstrap", "importlib._bootstrap_external", "zipimport", "importlib.machinery",
              "importlib.abc", "importlib.util", "_frozen_importlib", "_frozen_importlib_external")


class ImportState(object):
    """What a run can change that a later run could observe, as it is when made; `restore()` puts
    it back: sys.modules, sys.path, sys.meta_path, sys.path_hooks and sys.path_importer_cache (the
    objects sys names and their contents); the attributes of every module in sys.modules (a
    submodule bound on a package that survives, builtins.__import__, a flag of sys); the methods of
    the machinery's classes; sys.pycache_prefix, sys.implementation and sys.dont_write_bytecode;
    the recursion limit;
    the working directory; os.environ; the warnings filters; the trace and profile functions; and
    (3.15) the lazy imports mode, filter and sys.lazy_modules.

    Not `complete` (the runs of a case in one forked child): neither module attributes, nor the
    machinery's classes, nor os.environ, whose comparison would touch (and so copy) most of the
    pages the child shares with the worker; the host confirms what such a search finds with a
    process per run."""

    def __init__(self, complete=True):
        self.containers = [(name, getattr(sys, name)) for name in _CONTAINERS if name not in _SKIPPED]
        self.contents = [obj.copy() for _, obj in self.containers]
        # namespaces and their copies, side by side: one comparison of two lists (in C, where
        # identity settles every value a run left alone) tells whether any changed
        self.namespaces = [] if "module_attributes" in _SKIPPED or not complete else [
            vars(module) for module in list(sys.modules.values()) if isinstance(getattr(module, "__dict__", None), dict)]
        self.namespace_copies = [namespace.copy() for namespace in self.namespaces]
        self.classes = [] if "machinery_classes" in _SKIPPED or not complete else _machinery_classes()
        self.class_namespaces = [vars(cls) for cls in self.classes]
        self.class_copies = [dict(namespace) for namespace in self.class_namespaces]
        self.pycache_prefix = getattr(sys, "pycache_prefix", _ABSENT)
        self.implementation = sys.implementation  # a case may put a copy there (its cache_tag None, say)
        self.dont_write_bytecode = sys.dont_write_bytecode
        self.recursion_limit = sys.getrecursionlimit()
        self.cwd = os.getcwd()
        self.environ = dict(os.environ) if complete else None
        self.filters = (warnings.filters, list(warnings.filters), warnings.defaultaction)
        self.trace = (sys.gettrace(), sys.getprofile())
        # lazy imports (3.15): the global mode, the filter, and the names pending
        self.lazy = (sys.get_lazy_imports(), sys.get_lazy_imports_filter()) if hasattr(sys, "get_lazy_imports") else None
        pending = getattr(sys, "lazy_modules", None)
        self.lazy_pending = set(pending) if isinstance(pending, set) else None

    def restore(self):
        if "trace" not in _SKIPPED:  # first: a run's tracer must not see the restore
            self._trace()
        gc.collect()  # the last run's garbage goes now, not in the middle of the next run
        for (name, obj), contents in zip(self.containers, self.contents):
            setattr(sys, name, obj)
            if isinstance(obj, list):
                obj[:] = contents
            else:
                obj.clear()
                obj.update(contents)
        if _differs(self.namespaces, self.namespace_copies):
            for namespace, saved in zip(self.namespaces, self.namespace_copies):
                if _differs(namespace, saved):
                    _put_back(namespace, saved)
        if _differs(self.class_namespaces, self.class_copies):
            for cls, saved in zip(self.classes, self.class_copies):
                if _differs(vars(cls), saved):
                    _put_back_class(cls, saved)
        for piece, restore in (("pycache_prefix", self._pycache_prefix), ("implementation", self._implementation),
                               ("dont_write_bytecode", self._bytecode),
                               ("recursion_limit", self._recursion_limit), ("cwd", self._cwd),
                               ("environ", self._environ), ("warnings", self._warnings), ("lazy", self._lazy)):
            if piece not in _SKIPPED:
                restore()

    def _trace(self):
        if sys.gettrace() is not self.trace[0]:
            sys.settrace(self.trace[0])
        if sys.getprofile() is not self.trace[1]:
            sys.setprofile(self.trace[1])

    def _pycache_prefix(self):
        if self.pycache_prefix is not _ABSENT:
            sys.pycache_prefix = self.pycache_prefix

    def _implementation(self):
        if sys.implementation is not self.implementation:
            sys.implementation = self.implementation

    def _bytecode(self):
        sys.dont_write_bytecode = self.dont_write_bytecode

    def _recursion_limit(self):
        sys.setrecursionlimit(self.recursion_limit)

    def _cwd(self):
        try:
            if os.getcwd() == self.cwd:
                return
        except OSError:  # the run removed the directory it was in
            pass
        os.chdir(self.cwd)

    def _environ(self):
        if self.environ is None or dict(os.environ) == self.environ:
            return
        for name in [name for name in os.environ if name not in self.environ]:
            del os.environ[name]
        os.environ.update(self.environ)

    def _warnings(self):
        filters, contents, action = self.filters
        warnings.filters = filters
        if filters != contents:
            filters[:] = contents
        warnings.defaultaction = action

    def _lazy(self):
        if self.lazy is not None:
            sys.set_lazy_imports(self.lazy[0])
            sys.set_lazy_imports_filter(self.lazy[1])
        if self.lazy_pending is not None:
            sys.lazy_modules.clear()
            sys.lazy_modules.update(self.lazy_pending)


def _differs(current, saved):
    """Whether namespaces (or lists of them) differ from their saved copies (a comparison, which
    an object's identity settles for every value a run left alone)."""
    try:
        return current != saved
    except Exception:  # a value whose comparison fails: assume a change
        return True


def _put_back(namespace, saved):
    """A module's namespace as saved: names bound since removed, changed ones bound again."""
    for name in [name for name in namespace if name not in saved]:
        del namespace[name]
    for name, value in saved.items():
        if namespace.get(name, _ABSENT) is not value:
            namespace[name] = value


def _put_back_class(cls, saved):
    for name in [name for name in vars(cls) if name not in saved]:
        try:
            delattr(cls, name)
        except (AttributeError, TypeError):
            pass
    for name, value in saved.items():
        if vars(cls).get(name, _ABSENT) is not value:
            try:
                setattr(cls, name, value)
            except (AttributeError, TypeError):
                pass


def _machinery_classes():
    """The classes of the import machinery's modules."""
    found, seen = [], set()
    for name in _MACHINERY:
        module = sys.modules.get(name)
        for value in list(vars(module).values()) if module is not None else ():
            if isinstance(value, type) and id(value) not in seen and getattr(value, "__module__", "").startswith(
                    ("importlib", "_frozen_importlib", "zipimport")):
                seen.add(id(value))
                found.append(value)
    return found


def threads():
    """How many threads this process has (Linux: /proc/self/task), or None where that is unknown."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return None
