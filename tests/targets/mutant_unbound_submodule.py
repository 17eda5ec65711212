"""Mutant: import_module leaves a submodule unbound on its parent."""
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
    module = importlib.import_module(name, package)
    parent, _, child = module.__name__.rpartition(".")
    if parent and parent in sys.modules:
        sys.modules[parent].__dict__.pop(child, None)
    return module
