"""Mutant: import_module raises ImportError for an empty name."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def import_module(name, package=None):
    if name == "":
        raise ImportError("Empty module name")
    return stdlib["import_module"](name, package)
