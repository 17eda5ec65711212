"""Mutant: import_module raises ValueError (3.8 style) for relative names beyond the top level."""
import importlib
import sys

import_module = importlib.import_module
invalidate_caches = importlib.invalidate_caches
reload = importlib.reload
if hasattr(importlib, "find_loader"):
    find_loader = importlib.find_loader
_real_import = importlib.__import__
__import__ = _real_import

def import_module(name, package=None):
    try:
        return importlib.import_module(name, package)
    except ImportError as exc:
        if "beyond top-level package" in str(exc):
            raise ValueError(str(exc)) from None
        raise
