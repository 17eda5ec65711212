"""The five functions: __import__, import_module, find_loader, invalidate_caches, reload.

Each is a few lines over the pipeline (impl/_pipeline.py) and cites the seed documentation's
sentences (conformance/catalogue/seed.txt, ids as in conformance/catalogue/sentences.json) or
the catalogue cases whose CPython recordings show a rule; version differences are read from the
profile in force (impl/_profile.py). Nothing here runs an import statement when called, because
__import__ may be this very module's.
"""
import sys
import types
import warnings

from . import _profile
from ._finding import meta_path_finders, spec_from_meta_path
from ._loading import execute_again
from ._locks import forget_locks
from ._names import package_of_globals
from ._pathfinder import PathFinder
from ._pipeline import fill_fromlist, import_name

__all__ = ["__import__", "find_loader", "import_module", "invalidate_caches", "reload", "reset", "use"]


def use(profile):
    """Behave as `profile`'s CPython version from now on."""
    _profile.current = profile


def reset():
    """Forget per-run state: import locks, modules being reloaded, directory finders."""
    forget_locks()
    _being_reloaded.clear()
    PathFinder.reset()


def __import__(name, globals=None, locals=None, fromlist=(), level=0):
    """Import a module (seed __import__.1). Without a fromlist the result is the top-level
    package of the name, with one the named module itself (seed import_module.6; cases
    dunder_import.returns_top_level, dunder_import.fromlist_returns_leaf); locals is ignored
    (case dunder_import.locals_ignored)."""
    if level == 0:
        module = import_name(name)
    else:
        package = package_of_globals(globals if globals is not None else {})
        module = import_name(name, package, level)
    if not fromlist:
        if level == 0:
            return import_name(name.partition(".")[0])
        if not name:
            return module
        # the package `level` dots up, then the first part of the name below it (case dunder_import.level1.dotted_name)
        below = len(name) - len(name.partition(".")[0])
        return sys.modules[module.__name__[:len(module.__name__) - below]]
    if hasattr(module, "__path__"):
        return fill_fromlist(module, fromlist)
    return module


def import_module(name, package=None):
    """Import a module, absolute or relative to `package` (seed import_module.1-3), and return
    that module itself, not its top-level package (seed import_module.6)."""
    level = 0
    if name.startswith("."):
        if not package:
            raise TypeError("the 'package' argument is required to perform a relative import "
                            "for {!r}".format(name))
        level = len(name) - len(name.lstrip("."))
    return import_name(name[level:], package, level)


def find_loader(name, path=None):
    """The loader of sys.modules[name] (seed find_loader.2; ValueError when it is None or not
    set, seed find_loader.7), else of the spec a search of sys.meta_path finds (seed
    find_loader.3), None if there is none (seed find_loader.4). Deprecated (seed find_loader.8)."""
    warnings.warn(_profile.current.find_loader_warning, DeprecationWarning, stacklevel=2)
    try:
        loader = sys.modules[name].__loader__
        if loader is None:
            raise ValueError("{}.__loader__ is None".format(name))
        return loader
    except KeyError:
        pass
    except AttributeError:
        raise ValueError("{}.__loader__ is not set".format(name)) from None
    spec = spec_from_meta_path(name, path)
    if spec is None:
        return None
    if spec.loader is None:  # cases find_loader.spec_missing_loader, find_loader.namespace_package
        if spec.submodule_search_locations is None:
            raise ImportError("spec for {} missing loader".format(name), name=name)
        raise ImportError("namespace packages do not have loaders", name=name)
    return spec.loader


def invalidate_caches():
    """Call invalidate_caches() of every finder on sys.meta_path that has one (seed
    invalidate_caches.1-2)."""
    for finder in meta_path_finders():
        if finder is PathFinder:
            PathFinder.invalidate_caches(_profile.current)
        elif hasattr(finder, "invalidate_caches"):
            finder.invalidate_caches()


_being_reloaded = {}  # name -> module: a reload the module's own code starts again returns it (case reload.reentrant)


def _name_to_reload(module):
    """The name reload() looks the module up by: __spec__.name, else __name__. From 3.10 any
    object with one of them is taken, before, only a module (seed reload.2; cases
    reload.not_a_module_*; the TypeError's context chain by version, gh-125519)."""
    if _profile.current.reload_duck_typed:
        try:
            return module.__spec__.name
        except AttributeError:
            try:
                return module.__name__
            except AttributeError:
                if not _profile.current.reload_error_unchained:
                    raise TypeError("reload() argument must be a module")
        raise TypeError("reload() argument must be a module")
    if not module or not isinstance(module, types.ModuleType):
        raise TypeError("reload() argument must be a module")
    try:
        return module.__spec__.name
    except AttributeError:
        return module.__name__


def _reload_search_path(name):
    """The parent package's __path__ for a submodule (case reload.submodule); the parent must
    be in sys.modules (case reload.parent_missing)."""
    parent_name = name.rpartition(".")[0]
    if not parent_name:
        return None
    try:
        parent = sys.modules[parent_name]
    except KeyError:
        raise ImportError("parent {!r} not in sys.modules".format(parent_name), name=parent_name) from None
    return parent.__path__


def reload(module):
    """Find the module's spec anew and execute it in the same module object (seed reload.1,
    reload.5, reload.10); ModuleNotFoundError without a spec (seed reload.20); the result is
    what sys.modules holds afterwards (seed reload.4)."""
    name = _name_to_reload(module)
    if sys.modules.get(name) is not module:
        raise ImportError("module {} not in sys.modules".format(name), name=name)
    if name in _being_reloaded:
        return _being_reloaded[name]
    _being_reloaded[name] = module
    try:
        spec = module.__spec__ = spec_from_meta_path(name, _reload_search_path(name), module)
        if spec is None:
            raise ModuleNotFoundError("spec not found for the module {!r}".format(name), name=name)
        execute_again(spec, module)
        return sys.modules[name]
    finally:
        _being_reloaded.pop(name, None)
