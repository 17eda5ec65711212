"""Mutant: __import__ raises ValueError for a non-str __package__."""
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
    if level > 0 and isinstance(globals, dict) and "__package__" in globals:
        if globals["__package__"] is not None and not isinstance(globals["__package__"], str):
            raise ValueError("package must be a string")
    return _real_import(name, globals, locals, fromlist, level)
