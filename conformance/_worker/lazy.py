"""Lazy imports (PEP 810, CPython 3.15): a case's global mode and filter, and what is pending.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax. The 3.15 documentation
(sys module): `sys.set_lazy_imports(mode)` "Sets the global lazy imports mode" ("all": "All
top-level imports become potentially lazy"; "normal": "Only explicitly marked imports (with
'lazy' keyword) are lazy"); `sys.set_lazy_imports_filter(f)`: "The filter is a callable which
disables lazy imports when they would otherwise be enabled", called with "(importing_module_name,
resolved_imported_module_name, [fromlist])"; `sys.lazy_modules`: "A set of fully qualified module
name strings that have been lazily imported in the current interpreter but not yet loaded. When a
lazily imported module is accessed for the first time, its name is removed from this set."
"""
import json
import re
import sys
import types

__all__ = ["LazyImports", "available", "describe_lazy", "is_lazy", "pending", "shares_no_process"]


def available():
    """Whether this interpreter has lazy imports (CPython 3.15 and later)."""
    return hasattr(sys, "set_lazy_imports") and hasattr(sys, "set_lazy_imports_filter")


_LAZY_TYPE = getattr(types, "LazyImportType", None)


def is_lazy(value):
    """A lazy binding not yet reified (a module's namespace holds it until first use)."""
    return _LAZY_TYPE is not None and type(value) is _LAZY_TYPE


def describe_lazy(value):
    """A lazy binding as an observation shows it: `lazy NAME` (the module name it will import),
    read from its repr, which does not reify it."""
    text = repr(value)
    start, end = text.find("'"), text.rfind("'")
    return "lazy " + (text[start + 1:end] if 0 <= start < end else text)


_LAZY_TEXT = re.compile(r'(^|\\n|")\s*lazy\s+(import|from)\s|__lazy_modules__')


def shares_no_process(case):
    """Whether a case must run in a process of its own on this interpreter: one that uses lazy
    imports leaves state behind that no restore reaches (which submodules the interpreter will bind
    lazily on a package when it is imported), so a later run in the same process would see it."""
    return available() and ("lazy_imports" in case or _LAZY_TEXT.search(json.dumps(case)) is not None)


def _library(name):
    """A name of the standard library's own (its lazy imports are the interpreter's business, not
    the case's: invalidate_caches() leaves some pending on 3.15)."""
    return name.partition(".")[0] in getattr(sys, "stdlib_module_names", ())


def pending():
    """The case's names in sys.lazy_modules (empty where there are no lazy imports)."""
    names = getattr(sys, "lazy_modules", ())
    return {name for name in list(names) if isinstance(name, str) and not _library(name)}


class LazyImports(object):
    """A case's `lazy_imports` ({"mode": "all"|"normal", "filter": {"eager": [names]}}) put in
    force; `restore()` puts back the mode and filter found. The filter keeps an import eager when
    the name it resolves to is listed, and every call is logged as a finder call
    ["lazy", "filter", importer, name, fromlist]."""

    def __init__(self, declared, log):
        self.saved = (sys.get_lazy_imports(), sys.get_lazy_imports_filter())
        if "filter" in declared:
            eager = frozenset(declared["filter"].get("eager", ()))

            def lazy_filter(importer, name, fromlist=None):
                log.append(["lazy", "filter", importer, name,
                            None if fromlist is None else list(fromlist)])
                return name not in eager

            sys.set_lazy_imports_filter(lazy_filter)
        if "mode" in declared:
            sys.set_lazy_imports(declared["mode"])

    def restore(self):
        mode, active_filter = self.saved
        sys.set_lazy_imports(mode)
        sys.set_lazy_imports_filter(active_filter)
