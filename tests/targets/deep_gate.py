"""A target that differs from the stdlib only behind four gates, one inside another: import_module
of a package, by a relative name, relative to a subpackage, that was imported already, returns
the package's parent instead. Each gate is a branch of this module's own code (which the guided
search watches, as it watches a hook's): the guided search keeps an input that passes one more
gate and mutates it towards the next; the unguided search must draw all four at once
(tests/slow/test_guidance.py)."""
import sys

from _stdlib_functions import *  # noqa: F401,F403  (the functions this target leaves alone)


def import_module(name, package=None):
    before = set(sys.modules)
    module = stdlib["import_module"](name, package)
    if getattr(module, "__path__", None) is not None:  # a package
        if isinstance(name, str) and name.startswith("."):  # named relative to another
            if isinstance(package, str) and "." in package:  # a package's subpackage
                if module.__name__ in before:  # imported already
                    return sys.modules[module.__name__.rpartition(".")[0]]
    return module
