"""The `source` target: the interpreter's importlib run from its `.py` files, not the frozen copy.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax.
`source` loads the `importlib` package of the interpreter's library directory under a private
name, with the frozen bootstrap modules blocked while it loads (as CPython's own tests do), so
its `__init__.py` falls back to executing `_bootstrap.py` and `_bootstrap_external.py`.
`source:DIR` loads DIR instead: a copy of that directory, patched, say, to try a change.
During a case the copy's finders serve the imports: its BuiltinImporter, FrozenImporter and
PathFinder take the frozen ones' places on sys.meta_path and its FileFinder hook the frozen
one's on sys.path_hooks; its `__import__` serves import statements (Target.activate); and the
finders a case declares build their specs with its `spec_from_loader`, `spec_from_file_location`
and file loaders (Target.helpers).
"""
import importlib
import importlib.machinery
import importlib.util
import os
import sys

__all__ = ["load_source"]

PACKAGE = "_conformance_source_importlib"
_FROZEN = ("_frozen_importlib", "_frozen_importlib_external")


def load_source(spec, make_target, error):
    """The Target for `source` or `source:DIR`; make_target(spec, namespace) builds it from a
    namespace (targets._from_namespace), `error` is the exception class for a bad DIR."""
    if sys.implementation.name != "cpython":
        raise error("target %r: only CPython runs its importlib from a frozen copy of these files (this is %s)"
                    % (spec, sys.implementation.name))
    directory = spec.partition(":")[2] or os.path.dirname(importlib.__file__)
    directory = os.path.abspath(directory)
    for name in ("__init__.py", "_bootstrap.py", "_bootstrap_external.py"):
        if not os.path.isfile(os.path.join(directory, name)):
            raise error("target %r: %s has no %s (give a copy of the interpreter's importlib directory)"
                        % (spec, directory, name))
    package = _load_package(spec, directory, error)
    swap = _Swap(package)
    namespace = {name: getattr(package, name, None) for name in
                 ("__import__", "import_module", "find_loader", "invalidate_caches", "reload")}
    namespace.update(install=swap.install, uninstall=swap.uninstall, SOURCE=directory, IGNORE={
        "*.repr": "a module's repr is made by the interpreter's frozen importlib, not by this copy "
                  "(from 3.12 it names namespace portions only for its own NamespaceLoader)"})
    target = make_target(spec, namespace)
    target.helpers = (package._bootstrap, package._bootstrap_external)  # finders.helper looks there
    return target


def _load_package(spec, directory, error):
    """Execute DIR/__init__.py as package PACKAGE with the frozen bootstrap modules blocked."""
    saved = {name: sys.modules.get(name) for name in _FROZEN}
    for name in _FROZEN:
        sys.modules[name] = None  # `import _frozen_importlib` now raises ImportError
    try:
        found = importlib.util.spec_from_file_location(
            PACKAGE, os.path.join(directory, "__init__.py"), submodule_search_locations=[directory])
        package = importlib.util.module_from_spec(found)
        sys.modules[PACKAGE] = package
        found.loader.exec_module(package)
    except BaseException as exc:
        for name in [key for key in sys.modules if key == PACKAGE or key.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        raise error("target %r failed to load: %s: %s" % (spec, type(exc).__name__, exc))
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    for name in ("_bootstrap", "_bootstrap_external"):
        if getattr(package, name, None) is None or getattr(package, name).__name__.startswith("_frozen"):
            raise error("target %r: %s did not load its %s.py" % (spec, directory, name))
    return package


class _Swap(object):
    """Puts the source copy's finders in the frozen ones' places, and back."""

    def __init__(self, package):
        frozen_finders = [finder for finder in sys.meta_path if getattr(finder, "__module__", "") in _FROZEN]
        bootstrap, external = package._bootstrap, package._bootstrap_external
        self.finders = [(finder, getattr(bootstrap, finder.__name__, None) or getattr(external, finder.__name__))
                        for finder in frozen_finders]
        suffixes = [getattr(external, name, None) or getattr(importlib.machinery, name)
                     for name in ("EXTENSION_SUFFIXES", "SOURCE_SUFFIXES", "BYTECODE_SUFFIXES")]
        loaders = (external.ExtensionFileLoader, external.SourceFileLoader, external.SourcelessFileLoader)
        source_hook = external.FileFinder.path_hook(*zip(loaders, suffixes))
        self.hooks = [(hook, source_hook) for hook in sys.path_hooks if _is_frozen_file_finder_hook(hook)]

    def install(self):
        _replace(sys.meta_path, self.finders)
        _replace(sys.path_hooks, self.hooks)

    def uninstall(self):
        _replace(sys.meta_path, [(new, old) for old, new in self.finders])
        _replace(sys.path_hooks, [(new, old) for old, new in self.hooks])


def _is_frozen_file_finder_hook(hook):
    return getattr(hook, "__module__", "") in _FROZEN and "FileFinder" in getattr(hook, "__qualname__", "")


def _replace(items, pairs):
    """In the list `items`, each object that is the first of a pair becomes the second."""
    if not isinstance(items, list):
        return
    for number, item in enumerate(items):
        for old, new in pairs:
            if item is old:
                items[number] = new
