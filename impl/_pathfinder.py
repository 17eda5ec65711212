"""The path-based finder, its per-directory finder, and a namespace package's path.

What the import system does with sys.path: one finder per path entry, cached in
sys.path_importer_cache; one directory listing per finder, refreshed when the
directory's mtime changes or caches are invalidated; regular packages, modules and
namespace portions. Stdlib only, Python 3.8 syntax; none of importlib's machinery is
called: the stdlib's own path finder and directory finder are replaced by these.
"""
import importlib.machinery
import os
import sys
import warnings

from . import _profile
from ._bytecode import cache_path
from ._legacy import legacy_path_entry_spec
from ._loaders import SourceFileLoader, SourcelessFileLoader
from ._verbose import report

__all__ = ["FileFinder", "NamespacePath", "PathFinder", "is_stdlib_path_finder"]

_STDLIB_PATH_FINDER = importlib.machinery.PathFinder
_STDLIB_FILE_FINDER = importlib.machinery.FileFinder
_EXTENSION_LOADER = importlib.machinery.ExtensionFileLoader  # extension modules are out of scope
_EXTENSION_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)
ModuleSpec = importlib.machinery.ModuleSpec  # the type is reused, as the issue allows


def is_stdlib_path_finder(finder):
    """True for the stdlib's path finder on sys.meta_path, which this module stands in for."""
    return finder is _STDLIB_PATH_FINDER


class NamespacePath(object):
    """A namespace package's __path__: recomputed when its parent's path changes.

    Observed from 3.9 (case invalidate_caches.namespace_new_portion): also recomputed
    after invalidate_caches(), which moves `epoch` on.
    """

    epoch = 0

    def __init__(self, name, path, path_finder):
        self._name = name
        self._path = path
        self._last_parent_path = tuple(self._parent_path())
        self._last_epoch = NamespacePath.epoch
        self._path_finder = path_finder

    def _parent_path(self):
        """The path the portions are found on: sys.path, or the parent's __path__. A parent gone
        from sys.modules raises KeyError up to 3.14; from 3.15 ModuleNotFoundError caused by the
        KeyError (observed: case namespace.path_after_parent_removed)."""
        parent, dot, _ = self._name.rpartition(".")
        if not dot:
            return sys.path
        try:
            module = sys.modules[parent]
        except KeyError as gone:
            if not _profile.current.namespace_parent_gone_not_found:
                raise
            raise ModuleNotFoundError("{!r} must be imported before finding {!r}.".format(parent, self._name),
                                      name=parent) from gone
        return getattr(module, "__path__")

    def _portions_now(self):
        """The portions, found again when the parent's path or the epoch has moved on."""
        parent_path = tuple(self._parent_path())
        if parent_path != self._last_parent_path or self._last_epoch != NamespacePath.epoch:
            spec = self._path_finder(self._name, parent_path)
            if spec is not None and spec.loader is None and spec.submodule_search_locations:
                self._path = spec.submodule_search_locations
            self._last_parent_path = parent_path
            self._last_epoch = NamespacePath.epoch
        return self._path

    def __iter__(self):
        return iter(self._portions_now())

    def __getitem__(self, index):
        return self._portions_now()[index]

    def __setitem__(self, index, path):
        self._path[index] = path

    def __len__(self):
        return len(self._portions_now())

    def __repr__(self):
        return "%s(%r)" % (_profile.current.namespace_path_name, self._path)

    def __contains__(self, item):
        return item in self._portions_now()

    def append(self, item):
        self._path.append(item)


# ---------------------------------------------------------------------------- FileFinder
def _directory(path, profile):
    """A path entry as its directory finder holds it (observed 3.8-3.15; cases
    machinery.dot_path_entry, machinery.relative_path_entry): an absolute path as given; a
    relative one after the working directory, trailing separators dropped but not normalised
    (`a/./b` stays); '' the working directory, as is '.' from 3.11 and './' from 3.12 (before,
    the working directory followed by '/.')."""
    if os.path.isabs(path):
        return path
    cwd = os.getcwd()
    if not path or (path == "." and profile.dot_entry_is_cwd) or (path.rstrip("/") == "." and profile.dot_slash_is_cwd):
        return cwd if profile.dot_entry_is_cwd else os.path.join(cwd, ".")
    return os.path.join(cwd, path.rstrip("/") or path)


class FileFinder(object):
    """The finder for one directory: a package directory, then a module file, else a portion."""

    def __init__(self, path, loaders):
        self._loaders = loaders
        self.path = _directory(path, _profile.current)
        self._path_mtime = -1
        self._path_cache = set()

    def invalidate_caches(self):
        self._path_mtime = -1

    def _listing(self):
        """The directory's entries, listed again only when its mtime moved."""
        try:
            mtime = os.stat(self.path).st_mtime
        except OSError:
            mtime = -1
        if mtime != self._path_mtime:
            try:
                self._path_cache = set(os.listdir(self.path))
            except (FileNotFoundError, PermissionError, NotADirectoryError):
                self._path_cache = set()
            self._path_mtime = mtime
        return self._path_cache

    def find_spec(self, fullname, target=None):
        tail = fullname.rpartition(".")[2]
        listing = self._listing()
        is_namespace = False
        base = os.path.join(self.path, tail)
        if tail in listing:  # a directory of that name: a regular package if it has __init__
            for suffix, loader in self._loaders:
                init = os.path.join(base, "__init__" + suffix)
                if os.path.isfile(init):
                    return self._spec(loader, fullname, init, [base])
            is_namespace = os.path.isdir(base)
        for suffix, loader in self._loaders:
            full_path = os.path.join(self.path, tail + suffix)
            if tail + suffix in listing and os.path.isfile(full_path):
                return self._spec(loader, fullname, full_path, None)
        if is_namespace:
            report("possible namespace for %s" % base)  # observed with -v (case verbose.modules, 3.8-3.15)
            spec = ModuleSpec(fullname, None)
            spec.submodule_search_locations = [base]
            return spec
        return None

    @staticmethod
    def _spec(loader_class, fullname, path, locations):
        loader = loader_class(fullname, path)
        spec = ModuleSpec(fullname, loader, origin=path)
        spec.has_location = True
        if locations is not None:
            spec.submodule_search_locations = locations
        if _profile.current.sets_cached:  # 3.15: left to the spec, worked out from origin when first asked
            if loader_class is SourceFileLoader:
                spec.cached = cache_path(path)
            elif loader_class is SourcelessFileLoader:  # its own file is its cache (__cached__)
                spec.cached = path
        return spec

    @classmethod
    def path_hook(cls, path):
        """sys.path_hooks protocol: a finder for a directory, ImportError for anything else;
        up to 3.11 one that also answers the protocol of before 3.4 (_LegacyShims)."""
        if not os.path.isdir(path or "."):
            raise ImportError("only directories are supported", path=path)
        made = _LegacyShims if _profile.current.legacy_finders else cls
        return made(path, [(s, _EXTENSION_LOADER) for s in _EXTENSION_SUFFIXES]
                    + [(".py", SourceFileLoader), (".pyc", SourcelessFileLoader)])


class _LegacyShims(FileFinder):
    """Case machinery.path_entry_finder_legacy_shims (recorded 3.8-3.15): up to 3.11 a directory's
    finder also has find_loader() ((loader, portions): a namespace directory is (None, [it]))
    and find_module() (the loader alone; for a namespace directory None and an ImportWarning);
    from 3.10 each warns DeprecationWarning, find_module() twice (its own, then find_loader()'s)."""

    _DEPRECATED = "%s is deprecated and slated for removal in Python 3.12; use find_spec() instead"

    def find_loader(self, fullname):
        if _profile.current.legacy_warnings:
            warnings.warn(self._DEPRECATED % "FileFinder.find_loader()", DeprecationWarning, stacklevel=2)
        spec = self.find_spec(fullname)
        if spec is None:
            return None, []
        return spec.loader, list(spec.submodule_search_locations or [])

    def find_module(self, fullname):
        if _profile.current.legacy_warnings:
            warnings.warn(self._DEPRECATED % "find_module()", DeprecationWarning, stacklevel=2)
        loader, portions = self.find_loader(fullname)
        if loader is None and portions:
            warnings.warn("Not importing directory %s: missing __init__" % portions[0], ImportWarning)
        return loader


_LegacyShims.__name__ = _LegacyShims.__qualname__ = "FileFinder"  # one class, as the stdlib's: so it is seen


def _is_stdlib_file_finder_hook(hook):
    return getattr(hook, "__qualname__", "").startswith("FileFinder.path_hook")


def _invalidate_metadata():
    """Clear importlib.metadata's path caches, as 3.13's invalidate_caches() does. Its import
    is the one the stdlib makes here too; before 3.13 the method is not a classmethod."""
    from importlib.metadata import MetadataPathFinder

    clear = getattr(MetadataPathFinder, "invalidate_caches", None)
    if clear is None:
        return
    if getattr(clear, "__self__", None) is MetadataPathFinder:
        clear()
    else:
        clear(MetadataPathFinder)


# ---------------------------------------------------------------------------- PathFinder
class PathFinder(object):
    """The meta-path finder for sys.path and package __path__ entries."""

    # Directory finders made by this module for entries whose cached finder is the stdlib's.
    _shadows = {}

    @classmethod
    def reset(cls):
        cls._shadows = {}

    @classmethod
    def invalidate_caches(cls, profile):
        """Forget finders that found nothing (None entries), and from 3.11 those cached under a
        relative path (not invalidated first); invalidate the others."""
        for name, finder in list(sys.path_importer_cache.items()):
            if finder is None or (profile.forget_relative_entries and not os.path.isabs(name)):
                del sys.path_importer_cache[name]
            elif hasattr(finder, "invalidate_caches"):
                finder.invalidate_caches()
        for finder in cls._shadows.values():
            finder.invalidate_caches()
        if profile.namespace_epoch:
            NamespacePath.epoch += 1
        if profile.invalidate_metadata:
            _invalidate_metadata()

    @classmethod
    def _hooks(cls, path):
        """The first finder a hook gives for path (None: none does). An empty sys.path_hooks
        warns (case machinery.path_hooks_emptied, recorded 3.8-3.15)."""
        if sys.path_hooks is not None and not sys.path_hooks:
            warnings.warn("sys.path_hooks is empty", ImportWarning)
        for hook in sys.path_hooks:
            if _is_stdlib_file_finder_hook(hook):
                hook = FileFinder.path_hook
            try:
                return hook(path)
            except ImportError:
                continue
        return None

    @classmethod
    def _finder_for(cls, entry):
        """The cached finder of a path entry, made (and cached) on first use."""
        if entry == "":
            try:
                entry = os.getcwd()
            except FileNotFoundError:
                return None
        try:
            finder = sys.path_importer_cache[entry]
        except KeyError:
            finder = cls._hooks(entry)
            sys.path_importer_cache[entry] = finder
        if isinstance(finder, _STDLIB_FILE_FINDER):
            if entry not in cls._shadows:
                cls._shadows[entry] = FileFinder.path_hook(finder.path)
            return cls._shadows[entry]
        return finder

    @classmethod
    def _spec_from_entries(cls, fullname, path, target=None):
        """The first spec with a loader an entry's finder gives; else a loaderless spec
        collecting every namespace portion found (an empty list: none)."""
        namespace_path = []
        for entry in path:
            if not isinstance(entry, (str, bytes)):
                continue
            finder = cls._finder_for(entry)
            if finder is None:
                continue
            if hasattr(finder, "find_spec"):
                spec = finder.find_spec(fullname, target)
            else:  # a path-entry finder of before 3.4
                spec = legacy_path_entry_spec(finder, fullname, _profile.current)
            if spec is None:
                continue
            if spec.loader is not None:
                return spec
            portions = spec.submodule_search_locations
            if portions is None:
                raise ImportError("spec missing loader")
            namespace_path.extend(portions)
        spec = ModuleSpec(fullname, None)
        spec.submodule_search_locations = namespace_path
        return spec

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        """A spec from the entries of path (default sys.path); namespace portions joined
        into a spec without loader, origin None, and a recomputing NamespacePath."""
        spec = cls._spec_from_entries(fullname, sys.path if path is None else path, target)
        if spec.loader is not None:
            return spec
        if not spec.submodule_search_locations:
            return None
        spec.origin = None
        spec.submodule_search_locations = NamespacePath(
            fullname, spec.submodule_search_locations, cls._spec_from_entries)
        return spec
