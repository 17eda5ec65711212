"""Broken on 3.15's lazy imports: import_module of a name a lazy import left pending imports it
but leaves the name in sys.lazy_modules (the module is loaded; the set says it is not)."""
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this target leaves alone)


def import_module(name, package=None):
    pending = getattr(sys, "lazy_modules", set())
    was_pending = name in pending
    module = stdlib["import_module"](name, package)
    if was_pending:
        pending.add(name)
    return module
