"""Mutant: import_module leaves a stand-in for a module whose body failed in sys.modules."""
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
def import_module(name, package=None):
    try:
        return importlib.import_module(name, package)
    except ImportError:
        raise
    except Exception:
        if isinstance(name, str) and not name.startswith("."):
            sys.modules.setdefault(name, types.ModuleType(name))
        raise
