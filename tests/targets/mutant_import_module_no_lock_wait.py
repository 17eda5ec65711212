"""Mutant: import_module returns a module found in sys.modules at once, without waiting for
another thread that is still importing it (a module lock not taken)."""
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)


def import_module(name, package=None):
    found = sys.modules.get(name) if isinstance(name, str) else None
    if found is not None:
        return found
    return stdlib["import_module"](name, package)
