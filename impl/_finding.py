"""Finding a module: each finder on sys.meta_path is asked for a spec in turn (seed
find_loader.3), this implementation's path finder standing in for the stdlib's.
"""
import sys
import warnings

from . import _profile
from ._legacy import legacy_meta_path_spec
from ._locks import finders_lock
from ._pathfinder import PathFinder, is_stdlib_path_finder

__all__ = ["meta_path_finders", "spec_from_meta_path"]


def meta_path_finders():
    """sys.meta_path, with this implementation's PathFinder in place of the stdlib's."""
    return [PathFinder if is_stdlib_path_finder(f) else f for f in sys.meta_path]


def spec_from_meta_path(name, search_path, module=None):
    """The first spec a finder returns for `name` (None if none does); `search_path` is the
    parent's __path__ (None for a top-level name), `module` the module being reloaded. A module
    that a finder's search put in sys.modules wins with its own __spec__ (observed: case
    machinery.finder_puts_module_in_sys_modules, CPython 3.8-3.13)."""
    if sys.meta_path is None:
        raise ImportError("sys.meta_path is None, Python is likely shutting down")
    if not sys.meta_path:
        warnings.warn("sys.meta_path is empty", ImportWarning)
    reloading = name in sys.modules
    for finder in meta_path_finders():
        with finders_lock:
            if hasattr(finder, "find_spec"):
                spec = finder.find_spec(name, search_path, module)
            else:  # a finder of before 3.4
                spec = legacy_meta_path_spec(finder, name, search_path, _profile.current)
        if spec is None:
            continue
        if not reloading and name in sys.modules:
            own_spec = getattr(sys.modules[name], "__spec__", None)
            return spec if own_spec is None else own_spec
        return spec
    return None
