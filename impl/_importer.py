"""The import pipeline: resolve -> find -> load -> bind -> fromlist; reload; caches.

A clean-room reading of the seed documentation (conformance/catalogue/seed.txt,
sentence ids as in conformance/catalogue/sentences.json) and of CPython's observed
behaviour (catalogue case ids name the observation). Version differences come from
the active Profile (impl/_profile.py). Stdlib only, Python 3.8 syntax; nothing here
runs an import statement at call time, because __import__ may be this very module's.
"""
import _thread
import sys
import types
import warnings

from impl._legacy import legacy_meta_path_spec, load_through_load_module, uses_load_module, warn_fallback
from impl._pathfinder import NamespaceLoader, PathFinder, is_stdlib_path_finder
from impl._profile import profile_for

__all__ = ["set_profile", "reset", "__import__", "import_module", "find_loader",
           "invalidate_caches", "reload"]

_profile = PathFinder.profile = profile_for()
_NEEDS_LOADING = object()


def set_profile(profile):
    global _profile
    _profile = PathFinder.profile = profile


def reset():
    """Forget per-run state: module locks, modules being reloaded, shadow directory finders."""
    _module_locks.clear()
    _RELOADING.clear()
    PathFinder.reset()


# ============================================================================ module locks
# One re-entrant lock per module name while it is being imported, so that another thread
# waits for a module being initialised; the importing thread itself passes (circular imports).
_module_locks = {}
_global_lock = _thread.RLock()


class _ModuleLock(object):
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        with _global_lock:
            lock, users = _module_locks.get(self.name, (None, 0))
            if lock is None:
                lock = _thread.RLock()
            _module_locks[self.name] = (lock, users + 1)
        lock.acquire()
        self.lock = lock

    def __exit__(self, *exc_info):
        self.lock.release()
        with _global_lock:
            lock, users = _module_locks[self.name]
            if users == 1:
                del _module_locks[self.name]
            else:
                _module_locks[self.name] = (lock, users - 1)
        return False


# ================================================================================ resolve
def _sanity_check(name, package, level):
    """Argument checks of __import__ and import_module (cases dunder_import.name.*,
    dunder_import.level.*, dunder_import.globals.*, import_module.error.*)."""
    if not isinstance(name, str):
        raise TypeError("module name must be str, not {}".format(type(name)))
    if level < 0:
        raise ValueError("level must be >= 0")
    if level > 0:
        if not isinstance(package, str):
            raise TypeError("__package__ not set to a string")
        elif not package:
            raise ImportError("attempted relative import with no known parent package")
    if not name and level == 0:
        raise ValueError("Empty module name")


def _resolve_name(name, package, level):
    """An absolute name from a relative one: `level` dots up from package (seed
    import_module.3: import_module('..mod', 'pkg.subpkg') imports pkg.mod)."""
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        raise _profile.beyond_top_level_error("attempted relative import beyond top-level package")
    base = bits[0]
    return "{}.{}".format(base, name) if name else base


def _calc_package(globals):
    """The anchor package of a relative __import__ from its globals: __package__, else
    __spec__.parent, else __name__ (minus its last part unless __path__ is there), with the
    warnings CPython gives (cases dunder_import.globals.*)."""
    package = globals.get("__package__")
    spec = globals.get("__spec__")
    if package is not None:
        if spec is not None and package != spec.parent:
            warnings.warn("__package__ != __spec__.parent ({!r} != {!r})".format(package, spec.parent),
                          _profile.package_spec_mismatch_category, stacklevel=3)
        return package
    elif spec is not None:
        return spec.parent
    warnings.warn("can't resolve package from __spec__ or __package__, "
                  "falling back on __name__ and __path__", ImportWarning, stacklevel=3)
    package = globals["__name__"]
    if "__path__" not in globals:
        package = package.rpartition(".")[0]
    return package


# =================================================================================== find
def _meta_path():
    """sys.meta_path, with this implementation's PathFinder in place of the stdlib's."""
    return [PathFinder if is_stdlib_path_finder(f) else f for f in sys.meta_path]


def _find_spec(name, path, target=None):
    """Ask each finder on sys.meta_path for a spec (seed find_loader.3). A module that a
    finder's search put in sys.modules wins with its own __spec__ (CPython's rule)."""
    if sys.meta_path is None:
        raise ImportError("sys.meta_path is None, Python is likely shutting down")
    if not sys.meta_path:
        warnings.warn("sys.meta_path is empty", ImportWarning)
    is_reload = name in sys.modules
    for finder in _meta_path():
        with _global_lock:
            if hasattr(finder, "find_spec"):
                spec = finder.find_spec(name, path, target)
            else:  # a finder of before 3.4
                spec = legacy_meta_path_spec(finder, name, path, _profile)
        if spec is None:
            continue
        if not is_reload and name in sys.modules:
            module_spec = getattr(sys.modules[name], "__spec__", None)
            return spec if module_spec is None else module_spec
        return spec
    return None


# =================================================================================== load
def _init_module_attrs(spec, module, override=False):
    """Set __name__, __loader__, __package__, __spec__, __path__, __file__, __cached__ from
    the spec (observed: case sys_modules.spec_fields; namespace packages get a
    NamespaceLoader and __file__ None, case namespace.single_portion)."""
    def assign(attr, value):
        try:
            setattr(module, attr, value)
        except AttributeError:
            pass

    if override or getattr(module, "__name__", None) is None:
        assign("__name__", spec.name)
    if override or getattr(module, "__loader__", None) is None:
        loader = spec.loader
        if loader is None and spec.submodule_search_locations is not None:
            loader = NamespaceLoader(spec.submodule_search_locations)
            spec.loader = loader
            module.__file__ = None
        assign("__loader__", loader)
    if override or getattr(module, "__package__", None) is None:
        assign("__package__", spec.parent)
    assign("__spec__", spec)
    if override or getattr(module, "__path__", None) is None:
        if spec.submodule_search_locations is not None:
            assign("__path__", spec.submodule_search_locations)
    if spec.has_location:
        if override or getattr(module, "__file__", None) is None:
            assign("__file__", spec.origin)
        if (override or getattr(module, "__cached__", None) is None) and spec.cached is not None:
            assign("__cached__", spec.cached)
    return module


def _module_from_spec(spec):
    """The loader's create_module() result, or a new module; attributes set from the spec."""
    module = None
    if hasattr(spec.loader, "create_module"):
        module = spec.loader.create_module(spec)
    elif hasattr(spec.loader, "exec_module"):
        raise ImportError("loaders that define exec_module() must also define create_module()")
    if module is None:
        module = types.ModuleType(spec.name)
    return _init_module_attrs(spec, module)


def _load_unlocked(spec):
    """Create the module, put it in sys.modules, execute it; on failure remove it again
    (case sys_modules.failing_body_removed). The module object left in sys.modules after
    execution is the result (case sys_modules.replaced_during_exec), moved to the end."""
    if uses_load_module(spec):
        return load_through_load_module(spec, _profile)
    module = _module_from_spec(spec)
    spec._initializing = True  # read by the interpreter's "partially initialized" messages
    try:
        sys.modules[spec.name] = module
        try:
            if spec.loader is None:
                if spec.submodule_search_locations is None:
                    raise ImportError("missing loader", name=spec.name)
            else:
                spec.loader.exec_module(module)
        except BaseException:
            try:
                del sys.modules[spec.name]
            except KeyError:
                pass
            raise
        module = sys.modules.pop(spec.name)
        sys.modules[spec.name] = module
    finally:
        spec._initializing = False
    return module


def _exec_spec(spec, module):
    """Execute a spec in an existing module object (reload, seed reload.5): same module, same
    namespace (seed reload.10), attributes set anew from the spec."""
    name = spec.name
    with _ModuleLock(name):
        if sys.modules.get(name) is not module:
            raise ImportError("module {!r} not in sys.modules".format(name), name=name)
        try:
            if spec.loader is None:
                if spec.submodule_search_locations is None:
                    raise ImportError("missing loader", name=spec.name)
                _init_module_attrs(spec, module, override=True)
            else:
                _init_module_attrs(spec, module, override=True)
                if uses_load_module(spec):
                    warn_fallback(spec.loader, "exec_module", "load_module", _profile)
                    spec.loader.load_module(name)
                else:
                    spec.loader.exec_module(module)
        finally:
            module = sys.modules.pop(spec.name)
            sys.modules[spec.name] = module
    return module


# ========================================================================= find and load
_ERR_MSG = "No module named {!r}"


def _find_and_load_unlocked(name, import_):
    """Import the parent first (seed import_module.8), find the spec on the parent's
    __path__, load, then bind the module on its parent as an attribute."""
    path = None
    parent, _, child = name.rpartition(".")
    parent_spec = None
    if parent:
        if parent not in sys.modules:
            import_(parent)
        if name in sys.modules:  # importing the parent may have imported us
            if sys.modules[name] is not None or not _profile.import_over_none_left_by_parent:
                return sys.modules[name]
        parent_module = sys.modules[parent]
        try:
            path = parent_module.__path__
        except AttributeError:
            message = (_ERR_MSG + "; {!r} is not a package").format(name, parent)
            raise ModuleNotFoundError(message, name=name) from None
        if _profile.uninitialized_submodules:
            parent_spec = getattr(parent_module, "__spec__", None)
    spec = _find_spec(name, path)
    if spec is None:
        raise ModuleNotFoundError(_ERR_MSG.format(name), name=name)
    pending = getattr(parent_spec, "_uninitialized_submodules", None)
    if pending is not None:
        pending.append(child)
    try:
        module = _load_unlocked(spec)
    finally:
        if pending is not None:
            pending.pop()
    if parent:
        parent_module = sys.modules[parent]
        if _profile.warn_when_parent_rejects_child:
            try:
                setattr(parent_module, child, module)
            except AttributeError:
                warnings.warn("Cannot set an attribute on {!r} for child module {!r}".format(parent, child),
                              ImportWarning)
        else:
            setattr(parent_module, child, module)
    return module


def _find_and_load(name, import_):
    """sys.modules first: a cached module is returned as it is, None halts the import
    (case sys_modules.none_entry); otherwise find and load under the module's lock."""
    with _ModuleLock(name):
        module = sys.modules.get(name, _NEEDS_LOADING)
        if module is _NEEDS_LOADING:
            return _find_and_load_unlocked(name, import_)
    if module is None:
        raise ModuleNotFoundError("import of {} halted; None in sys.modules".format(name), name=name)
    return module


def _gcd_import(name, package=None, level=0):
    """Import and return the module named by name, package and level."""
    _sanity_check(name, package, level)
    if level > 0:
        name = _resolve_name(name, package, level)
    return _find_and_load(name, _gcd_import)


# =============================================================================== fromlist
def _handle_fromlist(module, fromlist, import_, recursive=False):
    """Import the submodules a fromlist names that are not attributes yet; '*' means
    __all__. A missing submodule is ignored (cases fromlist.missing_name,
    fromlist.submodule_import_error_other, fromlist.submodule_mnfe_own_name)."""
    for item in fromlist:
        if not isinstance(item, str):
            where = module.__name__ + ".__all__" if recursive else "``from list''"
            raise TypeError("Item in {} must be str, not {}".format(where, type(item).__name__))
        elif item == "*":
            if not recursive and hasattr(module, "__all__"):
                _handle_fromlist(module, module.__all__, import_, recursive=True)
        elif not hasattr(module, item):
            from_name = "{}.{}".format(module.__name__, item)
            try:
                import_(from_name)
            except ModuleNotFoundError as exc:
                if exc.name == from_name and sys.modules.get(from_name, _NEEDS_LOADING) is not None:
                    continue
                raise
    return module


# ========================================================================= the five functions
def __import__(name, globals=None, locals=None, fromlist=(), level=0):
    """Import a module (seed __import__.1). Without fromlist, return the top-level package
    of the name; with one, the named module itself (seed import_module.6)."""
    if level == 0:
        module = _gcd_import(name)
    else:
        package = _calc_package(globals if globals is not None else {})
        module = _gcd_import(name, package, level)
    if not fromlist:
        if level == 0:
            return _gcd_import(name.partition(".")[0])
        elif not name:
            return module
        cut_off = len(name) - len(name.partition(".")[0])
        return sys.modules[module.__name__[:len(module.__name__) - cut_off]]
    elif hasattr(module, "__path__"):
        return _handle_fromlist(module, fromlist, _gcd_import)
    return module


def import_module(name, package=None):
    """Import a module, absolute or relative to package, and return that module itself
    (seed import_module.1-3, import_module.6)."""
    level = 0
    if name.startswith("."):
        if not package:
            raise TypeError("the 'package' argument is required to perform a relative import "
                            "for {!r}".format(name))
        for character in name:
            if character != ".":
                break
            level += 1
    return _gcd_import(name[level:], package, level)


def find_loader(name, path=None):
    """The loader of sys.modules[name] (ValueError when None or unset), else of the spec
    found on sys.meta_path; None if there is none (seed find_loader.1-8)."""
    warnings.warn(_profile.find_loader_warning, DeprecationWarning, stacklevel=2)
    try:
        loader = sys.modules[name].__loader__
        if loader is None:
            raise ValueError("{}.__loader__ is None".format(name))
        return loader
    except KeyError:
        pass
    except AttributeError:
        raise ValueError("{}.__loader__ is not set".format(name)) from None
    spec = _find_spec(name, path)
    if spec is None:
        return None
    if spec.loader is None:
        if spec.submodule_search_locations is None:
            raise ImportError("spec for {} missing loader".format(name), name=name)
        raise ImportError("namespace packages do not have loaders", name=name)
    return spec.loader


def invalidate_caches():
    """Call invalidate_caches() of every finder on sys.meta_path that has one (seed
    invalidate_caches.1-2)."""
    for finder in _meta_path():
        if finder is PathFinder:
            PathFinder.invalidate_caches(_profile)
        elif hasattr(finder, "invalidate_caches"):
            finder.invalidate_caches()


_RELOADING = {}


def _reload_name(module):
    if _profile.reload_duck_typed:
        try:
            return module.__spec__.name
        except AttributeError:
            try:
                return module.__name__
            except AttributeError:
                if not _profile.reload_error_unchained:
                    raise TypeError("reload() argument must be a module")
        raise TypeError("reload() argument must be a module")  # without the context (gh-125519)
    if not module or not isinstance(module, types.ModuleType):
        raise TypeError("reload() argument must be a module")
    try:
        return module.__spec__.name
    except AttributeError:
        return module.__name__


def reload(module):
    """Find the module's spec anew and execute it in the same module object (seed
    reload.1-5, reload.20); return what sys.modules holds afterwards (seed reload.4)."""
    name = _reload_name(module)
    if sys.modules.get(name) is not module:
        raise ImportError("module {} not in sys.modules".format(name), name=name)
    if name in _RELOADING:
        return _RELOADING[name]
    _RELOADING[name] = module
    try:
        parent_name = name.rpartition(".")[0]
        if parent_name:
            try:
                parent = sys.modules[parent_name]
            except KeyError:
                raise ImportError("parent {!r} not in sys.modules".format(parent_name),
                                  name=parent_name) from None
            pkgpath = parent.__path__
        else:
            pkgpath = None
        spec = module.__spec__ = _find_spec(name, pkgpath, module)
        if spec is None:
            raise ModuleNotFoundError("spec not found for the module {!r}".format(name), name=name)
        _exec_spec(spec, module)
        return sys.modules[name]
    finally:
        _RELOADING.pop(name, None)
