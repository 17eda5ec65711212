"""A target that differs on CPython 3.12 and later only: import_module raises ImportError for an
empty name there (the stdlib raises ValueError). For reports that say where a finding reproduces."""
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this target leaves alone)


def import_module(name, package=None):
    if name == "" and sys.version_info >= (3, 12):
        raise ImportError("Empty module name")
    return stdlib["import_module"](name, package)
