"""Conformance suite and differential fuzzer for Python's import system.

The public API is loaded lazily, so that the worker (conformance._worker), which
runs inside interpreters that have only the stdlib, can import this package.
"""
__all__ = ["Case", "Divergence", "Interpreter", "load_cases", "run_check"]

_PUBLIC = {
    "Case": "conformance._case",
    "load_cases": "conformance._case",
    "Divergence": "conformance._compare",
    "Interpreter": "conformance._interpreters",
    "run_check": "conformance._check",
}


def __getattr__(name):
    if name in _PUBLIC:
        import importlib

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError("module 'conformance' has no attribute %r" % name)
