"""Mutant: __import__ raises ValueError, not TypeError, for a non-str name."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def __import__(name, globals=None, locals=None, fromlist=(), level=0):
    if not isinstance(name, str):
        raise ValueError("module name must be str, not {}".format(type(name).__name__))
    return stdlib["__import__"](name, globals, locals, fromlist, level)
