"""The interpreter's import state, saved before the runs of a case and restored between them.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax.
With a `together` request the worker runs a case's targets one after another in a single
forked process (one fork per case instead of one per run); before each run after the first,
what a run can change of the import system is put back as the fork found it.
"""
import gc
import sys

__all__ = ["ImportState"]

_CONTAINERS = ("modules", "path", "meta_path", "path_hooks", "path_importer_cache")
_ABSENT = object()


class ImportState(object):
    """sys.modules, sys.path, sys.meta_path, sys.path_hooks and sys.path_importer_cache (the
    objects sys names and their contents), sys.pycache_prefix, the recursion limit, and (3.15)
    the lazy imports mode, filter and sys.lazy_modules, as they are when made; `restore()` puts
    them back.

    Not here, as each run sets them itself: builtins.__import__ and importlib's functions
    (Target.activate/deactivate, around every step), sys.dont_write_bytecode and
    builtins.__executed__ (run_case). Not covered: what a run changes inside objects it did not
    make (a library module's attributes, say). The host shares a process only when the first
    run's target is one of the worker's own (stdlib, builtin, impl), and confirms any divergence
    found that way with a process per run."""

    def __init__(self):
        self.containers = [(name, getattr(sys, name)) for name in _CONTAINERS]
        self.contents = [obj.copy() for _, obj in self.containers]
        self.pycache_prefix = getattr(sys, "pycache_prefix", _ABSENT)
        self.recursion_limit = sys.getrecursionlimit()
        # lazy imports (3.15): the global mode, the filter, and the names pending
        self.lazy = (sys.get_lazy_imports(), sys.get_lazy_imports_filter()) if hasattr(sys, "get_lazy_imports") else None
        pending = getattr(sys, "lazy_modules", None)
        self.lazy_pending = set(pending) if isinstance(pending, set) else None

    def restore(self):
        gc.collect()  # the last run's garbage goes now, not in the middle of the next run
        for (name, obj), contents in zip(self.containers, self.contents):
            setattr(sys, name, obj)
            if isinstance(obj, list):
                obj[:] = contents
            else:
                obj.clear()
                obj.update(contents)
        if self.pycache_prefix is not _ABSENT:
            sys.pycache_prefix = self.pycache_prefix
        sys.setrecursionlimit(self.recursion_limit)
        if self.lazy is not None:
            sys.set_lazy_imports(self.lazy[0])
            sys.set_lazy_imports_filter(self.lazy[1])
        if self.lazy_pending is not None:
            sys.lazy_modules.clear()
            sys.lazy_modules.update(self.lazy_pending)
