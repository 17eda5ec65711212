"""Mutant: reload words the not-in-sys.modules ImportError differently."""
import importlib
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this mutant leaves alone)

def reload(module):
    name = getattr(module, "__name__", None)
    if isinstance(name, str) and sys.modules.get(name) is not module:
        raise ImportError("module {} is not in sys.modules".format(name), name=name)
    return stdlib["reload"](module)
