"""Broken target: the stdlib's functions, but install() leaves the import state changed (the
change named by $CONFORMANCE_LEAK) and there is no uninstall(). A run after it in the same
process must not see the change (tests/slow/test_together.py, tests/slow/test_restore.py)."""
import builtins
import importlib.machinery
import importlib.util
import os
import sys
import threading
import time
import types
import warnings

from _stdlib_functions import *  # noqa: F401,F403

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "leaky_dir")  # holds b.py
ELSEWHERE = "/conformance-leak"  # a sys.path entry of the case; the leaked cache entry serves d


class _Serving(object):
    """Finds the one module it serves, with an empty body."""

    def __init__(self, name):
        self.name = name

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, _Empty())

    def invalidate_caches(self):
        pass


class _Empty(object):
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        pass


class _Blind(_Serving):
    def __init__(self, path):
        _Serving.__init__(self, None)


def _depth():
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def install():
    leak = os.environ.get("CONFORMANCE_LEAK")
    if leak == "sys_modules":
        sys.modules["a"] = types.ModuleType("a")
    elif leak == "sys_path":
        sys.path.insert(0, HERE)
    elif leak == "sys_path_rebound":
        sys.path = [HERE] + sys.path
    elif leak == "meta_path":
        sys.meta_path.insert(0, _Serving("c"))
    elif leak == "meta_path_rebound":
        sys.meta_path = [_Serving("c")] + sys.meta_path
    elif leak == "path_hooks":
        sys.path_hooks.insert(0, _Blind)
    elif leak == "path_importer_cache":
        sys.path_importer_cache[ELSEWHERE] = _Serving("d")
    elif leak == "modules_rebound":
        sys.modules = dict(sys.modules, a=types.ModuleType("a"))
    elif leak == "pycache_prefix":
        sys.pycache_prefix = HERE
    elif leak == "implementation":  # no bytecode caches: m gets no __cached__
        sys.implementation = types.SimpleNamespace(**dict(vars(sys.implementation), cache_tag=None))
    elif leak == "recursion_limit":  # a little deeper than here: an import statement goes past it
        sys.setrecursionlimit(_depth() + 8)
    elif leak == "cwd":  # the case's "" sys.path entry then finds leaky_dir's b
        os.chdir(HERE)
    elif leak == "lazy_mode":  # CPython 3.15: every top-level import statement potentially lazy
        sys.set_lazy_imports("all")
    elif leak == "module_attribute":  # a package that survives gets a submodule bound
        importlib.leaked = types.ModuleType("importlib.leaked")
    elif leak == "builtins":
        builtins.leaked = True
    elif leak == "machinery_class":  # the path finder made blind
        importlib.machinery.PathFinder.find_spec = classmethod(lambda cls, name, path=None, target=None: None)
    elif leak == "bytecode":
        sys.dont_write_bytecode = False
    elif leak == "environ":
        os.environ["CONFORMANCE_LEAKED"] = "1"
    elif leak == "warnings":
        warnings.filterwarnings("ignore", message="conformance-leak")
    elif leak == "trace":
        sys.settrace(lambda frame, event, arg: None)
    elif leak == "thread":  # no restore reaches it: the worker retires
        threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
    else:
        raise ValueError("unknown CONFORMANCE_LEAK %r" % leak)
