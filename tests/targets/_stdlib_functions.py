"""The stdlib's five functions, for the fake targets to re-export and override one at a time.

A file target may import modules beside it: the worker puts the target's directory on
sys.path while loading it. The functions are captured here, at import time: during a step,
importlib's own attributes are the target's functions, so a wrapper must not look them up then.
"""
import importlib

__all__ = ["__import__", "import_module", "invalidate_caches", "reload", "stdlib"]

__import__ = importlib.__import__
import_module = importlib.import_module
invalidate_caches = importlib.invalidate_caches
reload = importlib.reload
if hasattr(importlib, "find_loader"):
    find_loader = importlib.find_loader
    __all__.append("find_loader")

stdlib = dict((name, globals()[name]) for name in __all__ if name != "stdlib")
