"""Mutant: import_module raises ValueError, not TypeError, for a relative name without package."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def import_module(name, package=None):
    if isinstance(name, str) and name.startswith(".") and not package:
        raise ValueError("the 'package' argument is required to perform a relative import for %r" % name)
    return stdlib["import_module"](name, package)
