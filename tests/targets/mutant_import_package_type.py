"""Mutant: __import__ raises ValueError for a non-str __package__."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def __import__(name, globals=None, locals=None, fromlist=(), level=0):
    if level > 0 and isinstance(globals, dict) and "__package__" in globals:
        if globals["__package__"] is not None and not isinstance(globals["__package__"], str):
            raise ValueError("package must be a string")
    return stdlib["__import__"](name, globals, locals, fromlist, level)
