"""The finders and loaders a case declares (its `meta_path` and `path_hooks`): each logs its
calls in its run's finder log; kinds differ in what they find and how they load.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax. `declared` is a finder's
description in the case format (conformance/schemas/case.schema.json); `run` the run it belongs to
(its `finder_log` and `case_dir`).
"""
import builtins
import importlib.machinery
import importlib.util
import os
import pathlib  # imported here: a finder importing it while it searches would see itself asked
import sys
import types

from conformance._worker.contents import source_text, with_cache_tag

__all__ = ["FINDER_KINDS", "path_hook"]

_FILE_LOADERS = {"source": "SourceFileLoader", "sourceless": "SourcelessFileLoader"}
_CLASS_LOADERS = {"builtin": "BuiltinImporter", "frozen": "FrozenImporter"}  # classes acting as loaders


def helper(run, name):
    """importlib's `name` (a spec helper, loader or ModuleSpec) as the run's target has it: from the
    modules it names (the `source` target: its copy's own, so that a finder using it runs the code
    under test); else the interpreter's importlib.machinery and importlib.util."""
    for module in getattr(run.target, "helpers", None) or (importlib.machinery, importlib.util):
        found = getattr(module, name, None)
        if found is not None:
            return found
    raise AttributeError(name)


class _Finder(object):
    """A meta-path finder that logs its calls; kinds differ in what find_spec does."""

    def __init__(self, declared, name, run):
        self.declared, self.name, self.run = declared, name, run

    def find_spec(self, fullname, path=None, target=None):
        self.run.finder_log.append((self.name, "find_spec", fullname))
        kind = self.declared["finder"]
        names = self.declared.get("names")
        if names is not None and fullname not in names:
            return None
        if kind == "raising":
            raise getattr(builtins, self.declared.get("exception", "RuntimeError"))(
                self.declared.get("message", "finder %s refuses %s" % (self.name, fullname)))
        if kind == "loaderless":
            return helper(self.run, "ModuleSpec")(
                fullname, None, is_package=fullname in self.declared.get("packages", ()))
        if kind == "serving" and fullname in self.declared.get("modules", {}):
            return self._served(fullname)
        return None

    def _served(self, fullname):
        """spec_from_loader(fullname, loader, ...): `is_package` from `packages`, unless
        `ask_package` (then not passed: the loader's is_package(), if it has one, decides);
        `origin` passed where declared; the loader as `loader` declares (_SourceStringLoader), or the
        builtin or frozen importer where it names one (the module's source is then unused);
        then `spec_attrs` set on the spec (origin and cached: paths below the case directory)."""
        declared = self.declared
        source = source_text(declared["modules"][fullname])
        options = {"origin": declared["origin"]} if "origin" in declared else {}
        if not declared.get("ask_package", False):
            options["is_package"] = fullname in declared.get("packages", ())
        kind = declared.get("loader", {})
        if isinstance(kind, str) and kind in _CLASS_LOADERS:  # as a finder that hands a name on to the builtin or frozen importer
            loader = helper(self.run, _CLASS_LOADERS[kind])
        elif kind.get("base") == "SourceLoader":
            base = _source_loader_base(self.run)
            loader = type("ServedSourceLoader", (_ServedSource, base), {})(
                source, kind, self.run.case_dir, fullname, fullname in declared.get("packages", ()))
        else:
            loader = _SourceStringLoader(source, kind, self.run.case_dir)
        spec = helper(self.run, "spec_from_loader")(fullname, loader, **options)
        for attr, value in declared.get("spec_attrs", {}).items():  # as hooks set them after making it
            setattr(spec, attr, os.path.join(self.run.case_dir, value) if attr in ("origin", "cached")
                    and isinstance(value, str) else value)
        return spec

    def invalidate_caches(self):
        self.run.finder_log.append((self.name, "invalidate_caches", None))
        if self.declared["finder"] == "invalidate_raising":
            raise RuntimeError("finder %s cannot invalidate" % self.name)


class _FinderWithNoneInvalidate(_Finder):
    """A finder whose invalidate_caches attribute exists but is None."""

    invalidate_caches = None


class _FinderWithoutInvalidate(_Finder):
    """A finder with no invalidate_caches attribute at all."""

    def __getattribute__(self, attr):
        if attr == "invalidate_caches":
            raise AttributeError(attr)
        return object.__getattribute__(self, attr)


class _LegacyFinder(_Finder):
    """A meta-path finder of before Python 3.4: find_module() only, no find_spec(); it finds
    the `modules` it serves with a loader that has load_module() only."""

    def __getattribute__(self, attr):
        if attr == "find_spec":
            raise AttributeError(attr)
        return object.__getattribute__(self, attr)

    def find_module(self, fullname, path=None):
        self.run.finder_log.append((self.name, "find_module", fullname))
        if fullname in self.declared.get("modules", {}) and fullname in self.declared.get("names", [fullname]):
            return _LegacyLoader(self.declared, self.name, self.run)
        return None


class _LegacyLoaderFinder(_Finder):
    """A meta-path finder whose specs carry a loader of before Python 3.4 (load_module only)."""

    def find_spec(self, fullname, path=None, target=None):
        self.run.finder_log.append((self.name, "find_spec", fullname))
        if fullname in self.declared.get("modules", {}) and fullname in self.declared.get("names", [fullname]):
            return importlib.machinery.ModuleSpec(fullname, _LegacyLoader(self.declared, self.name, self.run),
                                                  is_package=fullname in self.declared.get("packages", ()))
        return None


class _LegacyLoader(object):
    """load_module() as PEP 302 describes it: the module in sys.modules (made if missing), its
    attributes set, its source executed; on failure a module it made leaves sys.modules."""

    def __init__(self, declared, name, run):
        self.declared, self.name, self.run = declared, name, run

    def __getattribute__(self, attr):
        if attr in ("get_filename", "is_package") and "filename" not in object.__getattribute__(self, "declared"):
            raise AttributeError(attr)
        return object.__getattribute__(self, attr)

    def get_filename(self, fullname):
        """With the finder's `filename`: the loader names a file (relative to the case directory)."""
        return os.path.join(self.run.case_dir, self.declared["filename"])

    def is_package(self, fullname):
        return fullname in self.declared.get("packages", ())

    def load_module(self, fullname):
        """A `bare` loader sets no attributes and leaves a failed module in sys.modules."""
        self.run.finder_log.append((self.name, "load_module", fullname))
        bare = self.declared.get("bare", False)
        made = fullname not in sys.modules
        module = sys.modules.setdefault(fullname, types.ModuleType(fullname)) if made else sys.modules[fullname]
        if fullname in self.declared.get("packages", ()):
            module.__path__ = []  # a bare loader sets only this
        if not bare:
            module.__loader__ = self
            packages = self.declared.get("packages", ())
            module.__package__ = fullname if fullname in packages else fullname.rpartition(".")[0]
        try:
            exec(compile(source_text(self.declared["modules"][fullname]), "<legacy %s>" % fullname, "exec"),
                 module.__dict__)
        except BaseException:
            if made and not bare:
                sys.modules.pop(fullname, None)
            raise
        return sys.modules[fullname]


class _LegacyPathEntryFinder(object):
    """A path-entry finder of before Python 3.4, for one sys.path entry: find_loader() (returns
    (loader, portions)) or find_module() only, as `hook` says."""

    def __init__(self, declared, name, run):
        self.declared, self.name, self.run = declared, name, run

    def __getattribute__(self, attr):
        hook = object.__getattribute__(self, "declared")["hook"]
        if attr == "find_spec" or (attr == "find_loader" and hook != "legacy_find_loader") or (
                attr == "find_module" and hook != "legacy_find_module"):
            raise AttributeError(attr)
        return object.__getattribute__(self, attr)

    def _loader(self, fullname, method):
        self.run.finder_log.append((self.name, method, fullname))
        if fullname in self.declared.get("modules", {}):
            return _LegacyLoader(self.declared, self.name, self.run)
        return None

    def find_loader(self, fullname):
        """With `portions` for the name: no loader, and those directories (relative to the case
        directory) as namespace portions."""
        loader = self._loader(fullname, "find_loader")
        portions = self.declared.get("portions", {}).get(fullname, [])
        return loader, [os.path.join(self.run.case_dir, portion) for portion in portions]

    def find_module(self, fullname):
        return self._loader(fullname, "find_module")

    def invalidate_caches(self):
        self.run.finder_log.append((self.name, "invalidate_caches", None))


def path_hook(declared, name, run, entry):
    """A sys.path_hooks callable that gives the one path `entry` a legacy path-entry finder."""
    def hook(path):
        if path != entry:
            raise ImportError("not the entry of %s" % name)
        return _LegacyPathEntryFinder(declared, name, run)
    return hook


class _LocatingFinder(_Finder):
    """Finds each name of `locations` (a path relative to the case directory, or null for none) by
    spec_from_file_location, as finders of editable installs do: with the loader `loader` names
    ("source" or "sourceless" file loaders, or the "builtin" or "frozen" importer; without, the
    helper picks one by the file's suffix), and `search_locations` for the name where declared
    (directories; else the helper's default). With `relative`, locations are passed as written;
    with `pathlike`, as pathlib.Path objects."""

    def find_spec(self, fullname, path=None, target=None):
        self.run.finder_log.append((self.name, "find_spec", fullname))
        declared, case_dir = self.declared, self.run.case_dir
        locations = declared.get("locations", {})
        if fullname not in locations or fullname not in declared.get("names", [fullname]):
            return None
        location = locations[fullname]
        if location is not None:
            location = with_cache_tag(location)
            location = location if declared.get("relative") else os.path.join(case_dir, location)
            if declared.get("pathlike"):  # as finders of editable installs often pass it
                location = pathlib.Path(location)
        options = {}
        kind = declared.get("loader")
        if kind in _FILE_LOADERS:
            options["loader"] = helper(self.run, _FILE_LOADERS[kind])(fullname, location)
        elif kind in _CLASS_LOADERS:
            options["loader"] = helper(self.run, _CLASS_LOADERS[kind])
        if fullname in declared.get("search_locations", {}):
            options["submodule_search_locations"] = [
                os.path.join(case_dir, directory) for directory in declared["search_locations"][fullname]]
        return helper(self.run, "spec_from_file_location")(fullname, location, **options)


class _SourceStringLoader(object):
    """Executes a source string. `declared` (the finder's `loader`) adds methods: `filename`
    gives get_filename() (the path below the case directory; null: it raises ImportError),
    `is_package` gives is_package() (its value; null: it raises ImportError), `module_attrs`
    gives create_module() a module of its own with those attributes already set."""

    def __init__(self, source, declared=None, case_dir=""):
        self.source = source
        declared = declared or {}
        if "filename" in declared:
            filename = declared["filename"]
            self.get_filename = lambda fullname: _or_import_error(
                filename if filename is None else os.path.join(case_dir, filename), fullname)
        if "is_package" in declared:
            self.is_package = lambda fullname: _or_import_error(declared["is_package"], fullname)
        self.module_attrs = declared.get("module_attrs")

    def create_module(self, spec):
        if self.module_attrs is None:
            return None
        module = types.ModuleType(spec.name)
        for attr, value in self.module_attrs.items():
            setattr(module, attr, value)
        return module

    def exec_module(self, module):
        exec(compile(self.source, "<serving %s>" % module.__name__, "exec"), module.__dict__)


class _ServedSource(object):
    """With importlib's SourceLoader as the other base: a loader as a hook writes one on
    importlib.abc.SourceLoader, with only the two methods its documentation requires. get_filename()
    gives `filename` (below the case directory; null: it raises ImportError), by default the
    module's own path there (NAME.py, or NAME/__init__.py for a package); get_data() gives the
    served source for that path and reads any other path from disk. SourceLoader's get_code() and
    exec_module() do the rest (path_stats() is not given: no bytecode is read or written).
    `is_package` and `module_attrs` as for _SourceStringLoader."""

    def __init__(self, source, declared, case_dir, fullname, package):
        self.source = source
        default = fullname.replace(".", "/") + ("/__init__.py" if package else ".py")
        filename = declared.get("filename", default)
        self.path = None if filename is None else os.path.join(case_dir, filename)
        if "is_package" in declared:
            self.is_package = lambda name: _or_import_error(declared["is_package"], name)
        self.module_attrs = declared.get("module_attrs")

    def get_filename(self, fullname):
        return _or_import_error(self.path, fullname)

    def get_data(self, path):
        if path == self.path:
            return self.source.encode("utf-8")
        with open(path, "rb") as handle:
            return handle.read()

    create_module = _SourceStringLoader.create_module


def _source_loader_base(run):
    """importlib's SourceLoader as the run's target has it (the base that importlib.abc.SourceLoader
    and SourceFileLoader share): found in its SourceFileLoader's class hierarchy, so that the
    `source` target's copy runs its own get_code() and exec_module()."""
    for cls in helper(run, "SourceFileLoader").__mro__:
        if cls.__name__ == "SourceLoader":
            return cls
    raise AttributeError("SourceLoader")


# the case format's meta_path `finder` kinds
FINDER_KINDS = {"recording": _Finder, "raising": _Finder, "serving": _Finder, "loaderless": _Finder,
                "invalidate_raising": _Finder, "no_invalidate": _FinderWithoutInvalidate,
                "invalidate_none": _FinderWithNoneInvalidate, "legacy_serving": _LegacyFinder,
                "legacy_loader": _LegacyLoaderFinder, "locating": _LocatingFinder}


def _or_import_error(value, fullname):
    if value is None:
        raise ImportError("the loader cannot tell for %s" % fullname, name=fullname)
    return value
