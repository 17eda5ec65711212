"""Broken target: importing it installs a meta-path finder that tags every module it finds
(`hooked = True` in its namespace) and patches importlib.invalidate_caches, as instrumentation
libraries do when imported. None of it may reach the reference's runs."""
import importlib
import importlib.machinery
import sys

from _stdlib_functions import *  # noqa: F401,F403


class _Tagging(importlib.machinery.PathFinder):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            original = spec.loader.exec_module

            def exec_module(module, original=original):
                module.hooked = True
                original(module)

            spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _Tagging)
_invalidate = importlib.invalidate_caches
importlib.invalidate_caches = lambda: None  # noqa: E731 (caches are never invalidated)
