"""Mutant: __import__ words the globals-must-be-a-dict TypeError differently."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def __import__(name, globals=None, locals=None, fromlist=(), level=0):
    if level > 0 and globals is not None and not isinstance(globals, dict):
        raise TypeError("globals must be a mapping")
    return stdlib["__import__"](name, globals, locals, fromlist, level)
