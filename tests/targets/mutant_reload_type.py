"""Mutant: reload raises ValueError, not TypeError, for a non-module argument."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

import types
def reload(module):
    if not isinstance(module, types.ModuleType):
        raise ValueError("reload() argument must be a module")
    return stdlib["reload"](module)
