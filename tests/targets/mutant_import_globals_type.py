"""Mutant: __import__ words the globals-must-be-a-dict TypeError differently."""
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
    if level > 0 and globals is not None and not isinstance(globals, dict):
        raise TypeError("globals must be a mapping")
    return _real_import(name, globals, locals, fromlist, level)
