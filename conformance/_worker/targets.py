"""Targets: where the five functions under test come from.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax.
A target is `stdlib`, `builtin`, `impl`, `source` (importlib run from its `.py` files), a dotted module name or a path to a
`.py` file; it supplies any subset of the five functions and may define
`install()` / `uninstall()`, called around each case. A hook target defines only
`install()` (and `uninstall()`): the five functions are then the stdlib's, as the hook leaves them.
"""
import builtins
import importlib
import importlib.util
import os
import sys

from conformance._worker.calls import FUNCTIONS
from conformance._worker.source import load_source

__all__ = ["Target", "TargetError", "is_loaded", "load"]


# The interpreter's own __import__, saved before any target can replace it.
ORIGINAL_IMPORT = builtins.__import__
_ABSENT = object()


class TargetError(Exception):
    """The target could not be loaded, or supplies none of the five functions."""


class Target(object):
    """The functions a target supplies, and its optional install/uninstall hooks. A hook target
    supplies none: its steps call whatever importlib (and builtins.__import__) hold at the time,
    which is where an import hook takes effect."""

    def __init__(self, spec, functions, install=None, uninstall=None, hook=False, install_order="after-setup",
                 ignore=None, replaces_importlib=True):
        self.spec = spec
        self.functions = functions
        self.install_hook = install
        self.uninstall_hook = uninstall
        self.hook = hook
        self.install_order = install_order  # "before-setup" or "after-setup" (the case's files, sys.path...)
        self.ignore = ignore or {}  # intended differences: field-path pattern -> reason
        # False: the functions stand for ones a user calls directly (a library's wrapper that calls
        # importlib itself); the steps call them, importlib keeps its functions and import statements
        # go through importlib.__import__, as for the stdlib
        self.replaces_importlib = replaces_importlib
        self.module = None  # the module a target that is one comes from (its code is watched: branches.py)
        # the modules holding importlib's spec helpers and loaders as the target has them, for the
        # finders a case declares (finders.helper); None: the interpreter's (`source`: its copy's)
        self.helpers = None

    def describe(self):
        """What the target declares, for the host (the protocol's `describe` reply)."""
        return {"op": "target", "spec": self.spec, "functions": sorted(self.functions), "hook": self.hook,
                "install": self.install_order, "ignore": dict(self.ignore),
                "replaces_importlib": self.replaces_importlib}

    def install(self):
        """The target's own install() hook, once per case before the steps."""
        if self.install_hook is not None:
            self.install_hook()

    def uninstall(self):
        if self.uninstall_hook is not None:
            self.uninstall_hook()

    def activate(self):
        """For one step: the target's functions replace importlib's (and its __import__ the
        builtin), so module bodies calling importlib.X or running import statements reach it.
        A hook target's steps run with importlib as its hook left it, and import statements
        go through importlib.__import__ as for the stdlib, unless the hook replaced the builtin."""
        if self.hook:
            self._saved, self._builtin = [], builtins.__import__
            self.step_import = importlib.__import__ if self._builtin is ORIGINAL_IMPORT else self._builtin
            builtins.__import__ = self.step_import
            return
        if not self.replaces_importlib:  # as for the stdlib: import statements go through importlib
            self._saved = []
            builtins.__import__ = importlib.__import__
            return
        self._saved = [(name, getattr(importlib, name, _ABSENT)) for name in self.functions]
        for name, function in self.functions.items():
            setattr(importlib, name, function)
        if "__import__" in self.functions:
            builtins.__import__ = self.functions["__import__"]

    def deactivate(self):
        if self.hook:
            builtins.__import__ = getattr(self, "_builtin", ORIGINAL_IMPORT)
            return
        builtins.__import__ = ORIGINAL_IMPORT
        for name, original in getattr(self, "_saved", ()):
            if original is _ABSENT:
                delattr(importlib, name)
            else:
                setattr(importlib, name, original)
        self._saved = []


INSTALL_ORDERS = ("after-setup", "before-setup")


def _from_namespace(spec, namespace):
    """The Target a module's namespace declares: its functions, install()/uninstall(), INSTALL
    (when install() runs: "after-setup", the default, or "before-setup") and IGNORE (intended
    differences: a dict of field-path patterns to the reasons for them) and REPLACES_IMPORTLIB
    (False: the functions are called by the steps only, importlib's stay in place, and those of the
    five the target does not define are importlib's)."""
    functions = {}
    for name in FUNCTIONS:
        value = namespace.get(name)
        if callable(value):
            functions[name] = value
    order = namespace.get("INSTALL", "after-setup")
    if order not in INSTALL_ORDERS:
        raise TargetError("target %r: INSTALL must be one of %s, not %r" % (spec, ", ".join(INSTALL_ORDERS), order))
    ignore = namespace.get("IGNORE", {})
    if not isinstance(ignore, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in ignore.items()):
        raise TargetError("target %r: IGNORE must be a dict of field-path patterns to reasons (strings)" % (spec,))
    replaces = namespace.get("REPLACES_IMPORTLIB", True)
    if not isinstance(replaces, bool):
        raise TargetError("target %r: REPLACES_IMPORTLIB must be True or False, not %r" % (spec, replaces))
    hooks = namespace.get("install"), namespace.get("uninstall")
    if functions and not replaces:  # importlib stays the stdlib's: so do the functions not defined
        for name in FUNCTIONS:
            if name not in functions and callable(getattr(importlib, name, None)):
                functions[name] = getattr(importlib, name)
    if functions:
        return Target(spec, functions, *hooks, install_order=order, ignore=ignore, replaces_importlib=replaces)
    if callable(hooks[0]):  # a hook target: the five functions are the stdlib's
        target = Target(spec, {}, *hooks, hook=True, install_order=order, ignore=ignore)
        target.functions = _current_functions(target)
        return target
    raise TargetError("target %r defines none of %s, nor install()" % (spec, ", ".join(FUNCTIONS)))


def _current_functions(target):
    """A hook target's five functions: importlib's as they are when called (the hook may have
    wrapped them), and for __import__ the one its step runs with (Target.activate)."""
    def current(name):
        if name == "__import__":
            return lambda *args, **kwargs: target.step_import(*args, **kwargs)
        return lambda *args, **kwargs: getattr(importlib, name)(*args, **kwargs)

    return {name: current(name) for name in FUNCTIONS if name == "__import__" or hasattr(importlib, name)}


def _stdlib(spec):
    return _from_namespace(spec, {name: getattr(importlib, name, None) for name in FUNCTIONS})


def _builtin(spec):
    target = _stdlib(spec)
    target.functions["__import__"] = ORIGINAL_IMPORT
    return target


def _module(spec, installed=True):
    """A target that is a module, a file or a dotted name; the interpreter's site-packages are
    added first (an import hook's library lives there). Such a target runs in workers of its own,
    so neither its import nor those packages' .pth files reach another target's runs."""
    try:
        if installed:
            add_site_packages()
        if spec.endswith(".py") or os.sep in spec:
            path = os.path.abspath(spec)
            name = "_conformance_target_" + os.path.splitext(os.path.basename(path))[0]
            loader_spec = importlib.util.spec_from_file_location(name, path)
            if loader_spec is None or not os.path.isfile(path):
                raise TargetError("target file %r does not exist" % spec)
            module = importlib.util.module_from_spec(loader_spec)
            sys.path.insert(0, os.path.dirname(path))  # a target file may import its neighbours
            try:
                loader_spec.loader.exec_module(module)
            finally:
                sys.path.remove(os.path.dirname(path))
        else:
            module = importlib.import_module(spec)
    except TargetError:
        raise
    except BaseException as exc:
        raise TargetError("target %r failed to load: %s: %s" % (spec, type(exc).__name__, exc))
    target = _from_namespace(spec, vars(module))
    target.module = module
    return target


def add_site_packages():
    """The worker starts without site-packages (-S); add them (and run their .pth files)
    for what needs installed packages: a target named by module, coverage measurement."""
    if sys.flags.no_site and "site" not in sys.modules:
        import site

        site.main()


def _impl(spec):
    """`impl` or `impl:3.8`: the reference implementation, behaving like the given version."""
    _module("conformance.impl", installed=False)  # found beside the worker, not installed
    impl = sys.modules["conformance.impl"]
    version = spec.partition(":")[2]
    if version:
        try:
            impl.use_version(version)
        except (ValueError, KeyError) as exc:
            raise TargetError("target %r: no such version (%s)" % (spec, exc))
    target = _from_namespace(spec, vars(impl))
    target.module = impl
    return target


_BUILT_IN = {"stdlib": _stdlib, "builtin": _builtin}
_cache = {}


def is_loaded(spec):
    return spec in _cache


def load(spec):
    """The Target for a spec, loaded once per worker; raises TargetError."""
    if spec not in _cache:
        if spec == "impl" or spec.startswith("impl:"):
            _cache[spec] = _impl(spec)
        elif spec == "source" or spec.startswith("source:"):
            _cache[spec] = load_source(spec, _from_namespace, TargetError)
        else:
            _cache[spec] = _BUILT_IN.get(spec, _module)(spec)
        _preload_lazy_imports(spec)
    return _cache[spec]


def _preload_lazy_imports(spec):
    """Modules the interpreter imports on first need, an import that a case's meta-path finders
    would see, and that a hook's library may already have made: import them here, before any
    case runs, so that every run starts with them. unicodedata: compiling a source with a
    non-ASCII identifier imports it; zipfile: writing a case's zip archive imports it.
    importlib.metadata: PathFinder.invalidate_caches() imports
    it on first use from 3.13 and from 3.12.7 (a patch release): decided by behaviour, by
    calling it once here; and for impl:3.13 or newer, whose invalidate_caches does the same."""
    try:
        import unicodedata  # noqa: F401
    except ImportError:  # an implementation without it
        pass
    try:  # what the set-up of a case with a zip archive imports (tree.zip_bytes): PyPy's
        import zipfile  # noqa: F401  # compression modules put non-module entries in sys.modules
    except ImportError:
        pass
    import importlib.machinery

    importlib.machinery.PathFinder.invalidate_caches()
    version = spec.partition(":")[2] if spec.startswith("impl:") else ""
    wanted = tuple(int(part) for part in version.split(".")) if version else ()
    if wanted >= (3, 13):
        import importlib.metadata  # noqa: F401
