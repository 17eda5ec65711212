"""Mutant: reload raises plain ImportError, not ModuleNotFoundError, for a module without spec."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def reload(module):
    try:
        return stdlib["reload"](module)
    except ModuleNotFoundError as exc:
        raise ImportError(str(exc), name=exc.name) from None
