"""IPython's deep reload: IPython.lib.deepreload.reload() reloads a module and, recursively, every
module it imports (as %autoreload's ancestor does); it stands for reload() here, the other four
functions are the stdlib's."""
import builtins
import importlib

from IPython.lib.deepreload import reload as _deep_reload

IGNORE = {}
__import__ = builtins.__import__
import_module = importlib.import_module
invalidate_caches = importlib.invalidate_caches
find_loader = getattr(importlib, "find_loader", None)


def reload(module):
    return _deep_reload(module)
