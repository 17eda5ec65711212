"""Mutant: reload words the not-in-sys.modules ImportError differently."""
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
    name = getattr(module, "__name__", None)
    if isinstance(name, str) and sys.modules.get(name) is not module:
        raise ImportError("module {} is not in sys.modules".format(name), name=name)
    return importlib.reload(module)
