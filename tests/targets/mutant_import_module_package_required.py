"""Mutant: import_module raises ValueError, not TypeError, for a relative name without package."""
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
    if isinstance(name, str) and name.startswith(".") and not package:
        raise ValueError("the 'package' argument is required to perform a relative import for %r" % name)
    return importlib.import_module(name, package)
