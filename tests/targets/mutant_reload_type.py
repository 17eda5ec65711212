"""Mutant: reload raises ValueError, not TypeError, for a non-module argument."""
import importlib
import sys

import_module = importlib.import_module
invalidate_caches = importlib.invalidate_caches
reload = importlib.reload
if hasattr(importlib, "find_loader"):
    find_loader = importlib.find_loader
_real_import = importlib.__import__
__import__ = _real_import

import types
def reload(module):
    if not isinstance(module, types.ModuleType):
        raise ValueError("reload() argument must be a module")
    return importlib.reload(module)
