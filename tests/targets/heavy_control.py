"""Control target that imports many stdlib modules first: observations must not depend on what
the worker happened to import before the case."""
import ast  # noqa: F401
import collections.abc  # noqa: F401
import email.message  # noqa: F401
import fractions  # noqa: F401
import importlib
import json  # noqa: F401
import typing  # noqa: F401
import zipfile  # noqa: F401

__import__ = importlib.__import__
import_module = importlib.import_module
invalidate_caches = importlib.invalidate_caches
reload = importlib.reload
if hasattr(importlib, "find_loader"):
    find_loader = importlib.find_loader
