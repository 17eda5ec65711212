"""Mutant: find_loader says 'is not set' where the loader is None."""
import importlib
import sys

import_module = importlib.import_module
invalidate_caches = importlib.invalidate_caches
reload = importlib.reload
if hasattr(importlib, "find_loader"):
    find_loader = importlib.find_loader
_real_import = importlib.__import__
__import__ = _real_import

def find_loader(name, path=None):
    module = sys.modules.get(name)
    if module is not None and getattr(module, "__loader__", 0) is None:
        raise ValueError("{}.__loader__ is not set".format(name))
    return importlib.find_loader(name, path)
