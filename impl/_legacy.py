"""The finder and loader protocols of before Python 3.4 (PEP 302), as later versions still honour them.

Stdlib only, Python 3.8 syntax. A meta-path finder may offer find_module(name, path) instead of
find_spec(); a path-entry finder find_loader(name) (a loader and namespace portions) or
find_module(name); a loader load_module(name) instead of exec_module(). Which versions still
call them, and the ImportWarning each fallback gives from 3.10, are observed in the catalogue
cases legacy.* (conformance/catalogue/legacy.json, recorded on CPython 3.8-3.13).
"""
import os
import sys
import warnings

from importlib.machinery import ModuleSpec  # the type is reused, as for every spec impl makes

from . import _profile
from ._bytecode import cache_path

__all__ = ["legacy_meta_path_spec", "legacy_path_entry_spec", "load_through_load_module", "uses_load_module",
           "warn_fallback"]


def _name_of(obj):
    """How a warning names a finder or loader: a class by its own qualified name, any other
    object by its class's."""
    name = getattr(obj, "__qualname__", None) if isinstance(obj, type) else None
    return name or type(obj).__qualname__


def warn_fallback(obj, method, fallback, profile):
    """From 3.10 every use of an old protocol warns (cases legacy.*, 3.10-3.13)."""
    if profile.legacy_warnings:
        warnings.warn("%s.%s() not found; falling back to %s()" % (_name_of(obj), method, fallback), ImportWarning)


def spec_for_loader(name, loader):
    """The spec the import system makes for a loader an old finder returned: file-based if the
    loader can name its file, a package if it says so (is_package), else location-less."""
    is_package = bool(loader.is_package(name)) if hasattr(loader, "is_package") else False
    if hasattr(loader, "get_filename"):
        origin = loader.get_filename(name)
        spec = ModuleSpec(name, loader, origin=origin, is_package=is_package)
        spec.has_location = True
        if is_package:
            spec.submodule_search_locations = [os.path.dirname(origin)]
        if origin.endswith(".py") and _profile.current.sets_cached:
            spec.cached = cache_path(origin)
        return spec
    return ModuleSpec(name, loader, is_package=is_package)


def legacy_meta_path_spec(finder, name, path, profile):
    """A meta-path finder without find_spec(): up to 3.11 its find_module() is asked (and a
    finder with neither method fails with AttributeError); from 3.12 it is passed over
    (cases legacy.meta_path_find_module*)."""
    if not profile.legacy_finders:
        return None
    warn_fallback(finder, "find_spec", "find_module", profile)
    loader = finder.find_module(name, path)
    return None if loader is None else spec_for_loader(name, loader)


def legacy_path_entry_spec(finder, name, profile):
    """A path-entry finder without find_spec(): up to 3.11 its find_loader() (or else its
    find_module()) is asked; from 3.12 the missing find_spec() raises AttributeError
    (cases legacy.path_entry_*)."""
    if not profile.legacy_finders:
        return finder.find_spec(name)  # raises the AttributeError, as observed
    if hasattr(finder, "find_loader"):
        warn_fallback(finder, "find_spec", "find_loader", profile)
        loader, portions = finder.find_loader(name)
    else:
        warn_fallback(finder, "find_spec", "find_module", profile)
        loader, portions = finder.find_module(name), []
    if loader is not None:
        return spec_for_loader(name, loader)
    spec = ModuleSpec(name, None)
    spec.submodule_search_locations = portions
    return spec


def uses_load_module(spec):
    """A loader without exec_module() is driven through its load_module() up to 3.14; from 3.15
    it is not, and executing the module fails for want of exec_module() (cases legacy.*)."""
    return (spec.loader is not None and not hasattr(spec.loader, "exec_module")
            and _profile.current.load_module_fallback)


def load_through_load_module(spec, profile):
    """Import through load_module(): the loader puts the module in sys.modules itself; the
    entry is moved to the end (also when load_module() fails and left one), and the import
    attributes it left unset are set from the spec (case legacy.load_module_only_loader)."""
    warn_fallback(spec.loader, "exec_module", "load_module", profile)
    try:
        spec.loader.load_module(spec.name)
    except BaseException:
        if spec.name in sys.modules:
            sys.modules[spec.name] = sys.modules.pop(spec.name)
        raise
    module = sys.modules.pop(spec.name)
    sys.modules[spec.name] = module
    for attr, value in (("__loader__", lambda: spec.loader), ("__package__", lambda: _package_of(module, spec)),
                        ("__spec__", lambda: spec)):
        if getattr(module, attr, None) is None:
            try:
                setattr(module, attr, value())
            except AttributeError:
                pass
    return module


def _package_of(module, spec):
    return module.__name__ if hasattr(module, "__path__") else spec.name.rpartition(".")[0]
