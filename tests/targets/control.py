"""Control target: re-exports the stdlib's five functions; must never diverge."""
import importlib

__import__ = importlib.__import__
import_module = importlib.import_module
invalidate_caches = importlib.invalidate_caches
reload = importlib.reload
if hasattr(importlib, "find_loader"):
    find_loader = importlib.find_loader
