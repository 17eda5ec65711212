"""Mutant: __import__ silently skips non-str fromlist items instead of raising TypeError."""
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
    if isinstance(fromlist, (list, tuple)):
        fromlist = [item for item in fromlist if isinstance(item, str)]
    return _real_import(name, globals, locals, fromlist, level)
