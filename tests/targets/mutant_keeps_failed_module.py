"""Mutant: import_module leaves a stand-in for a module whose body failed in sys.modules."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

import types
def import_module(name, package=None):
    try:
        return stdlib["import_module"](name, package)
    except ImportError:
        raise
    except Exception:
        if isinstance(name, str) and not name.startswith("."):
            sys.modules.setdefault(name, types.ModuleType(name))
        raise
