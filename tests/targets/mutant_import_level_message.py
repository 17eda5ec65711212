"""Mutant: __import__ words the negative-level ValueError differently."""
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
    if isinstance(level, int) and level < 0:
        raise ValueError("level must be non-negative")
    return _real_import(name, globals, locals, fromlist, level)
