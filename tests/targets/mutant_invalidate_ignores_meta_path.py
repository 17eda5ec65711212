"""Mutant: invalidate_caches only clears path-entry finders, never sys.meta_path finders."""
import importlib
import sys

import_module = importlib.import_module
invalidate_caches = importlib.invalidate_caches
reload = importlib.reload
if hasattr(importlib, "find_loader"):
    find_loader = importlib.find_loader
_real_import = importlib.__import__
__import__ = _real_import

def invalidate_caches():
    for finder in list(sys.path_importer_cache.values()):
        if hasattr(finder, "invalidate_caches"):
            finder.invalidate_caches()
