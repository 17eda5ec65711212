"""Mutant: find_loader says 'is not set' where the loader is None."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def find_loader(name, path=None):
    module = sys.modules.get(name)
    if module is not None and getattr(module, "__loader__", 0) is None:
        raise ValueError("{}.__loader__ is not set".format(name))
    return stdlib["find_loader"](name, path)
