"""Mutant: import_module raises ImportError for an empty name."""
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
    if name == "":
        raise ImportError("Empty module name")
    return importlib.import_module(name, package)
