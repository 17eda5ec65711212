"""Mutant: __import__ words the negative-level ValueError differently."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def __import__(name, globals=None, locals=None, fromlist=(), level=0):
    if isinstance(level, int) and level < 0:
        raise ValueError("level must be non-negative")
    return stdlib["__import__"](name, globals, locals, fromlist, level)
