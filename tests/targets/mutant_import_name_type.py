"""Mutant: __import__ raises ValueError, not TypeError, for a non-str name."""
import importlib
import sys

import_module = importlib.import_module
invalidate_caches = importlib.invalidate_caches
reload = importlib.reload
if hasattr(importlib, "find_loader"):
    find_loader = importlib.find_loader
_real_import = importlib.__import__
__import__ = _real_import

def __import__(name, globals=None, locals=None, fromlist=(), level=0):
    if not isinstance(name, str):
        raise ValueError("module name must be str, not {}".format(type(name).__name__))
    return _real_import(name, globals, locals, fromlist, level)
