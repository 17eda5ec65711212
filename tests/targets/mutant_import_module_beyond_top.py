"""Mutant: import_module raises ValueError (3.8 style) for relative names beyond the top level."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def import_module(name, package=None):
    try:
        return stdlib["import_module"](name, package)
    except ImportError as exc:
        if "beyond top-level package" in str(exc):
            raise ValueError(str(exc)) from None
        raise
