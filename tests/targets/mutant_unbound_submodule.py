"""Mutant: import_module leaves a submodule unbound on its parent."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def import_module(name, package=None):
    module = stdlib["import_module"](name, package)
    parent, _, child = module.__name__.rpartition(".")
    if parent and parent in sys.modules:
        sys.modules[parent].__dict__.pop(child, None)
    return module
