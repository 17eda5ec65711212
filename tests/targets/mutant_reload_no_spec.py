"""Mutant: reload raises plain ImportError, not ModuleNotFoundError, for a module without spec."""
import importlib
import sys

import_module = importlib.import_module
invalidate_caches = importlib.invalidate_caches
reload = importlib.reload
if hasattr(importlib, "find_loader"):
    find_loader = importlib.find_loader
_real_import = importlib.__import__
__import__ = _real_import

def reload(module):
    try:
        return importlib.reload(module)
    except ModuleNotFoundError as exc:
        raise ImportError(str(exc), name=exc.name) from None
