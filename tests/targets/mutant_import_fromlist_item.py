"""Mutant: __import__ silently skips non-str fromlist items instead of raising TypeError."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def __import__(name, globals=None, locals=None, fromlist=(), level=0):
    if isinstance(fromlist, (list, tuple)):
        fromlist = [item for item in fromlist if isinstance(item, str)]
    return stdlib["__import__"](name, globals, locals, fromlist, level)
