"""The prelude of every repro.py: what the script's steps call (the case's files written with
fixed mtimes, the finders a case declares, targets loaded, each step's outcome printed, the final
state). reports/_repro.py reads this file as text and puts it, less this docstring, after the
script's own docstring; never imported (it makes a directory and patches builtins as it runs).

Stdlib only, Python 3.8 syntax: the script runs on any interpreter.
"""
import builtins, importlib, importlib.machinery, importlib.util, marshal, os, pathlib, shutil, struct, sys, tempfile, types
import warnings
try:
    import importlib.metadata  # imported lazily by invalidate_caches() on 3.13; imported first here
except ImportError:
    pass

BASE_MTIME = 1500000000
CASE = tempfile.mkdtemp(prefix="repro-")
RESULTS = []
EXECUTED = []
builtins.__executed__ = EXECUTED.append
builtins.__pause__ = lambda: None  # a module body's pause matters only in a threads step (run_threads)
sys.dont_write_bytecode = True
_tick = [0]


class Opaque:
    def __init__(self, label):
        self.label = label

    def __repr__(self):
        return "<opaque %s>" % self.label


class Target:
    """The five functions a target supplies (None for a hook target: importlib's, as its hook
    leaves them), and its install()/uninstall() and INSTALL declaration, as the worker has them."""

    def __init__(self, functions, module=None):
        self.functions, self.module = functions, module
        self.order = getattr(module, "INSTALL", "after-setup")

    def call(self, op):
        if self.functions is not None:
            return self.functions[op]
        if op == "__import__":
            return lambda *args, **kwargs: step_import()(*args, **kwargs)
        return lambda *args, **kwargs: getattr(importlib, op)(*args, **kwargs)

    def supplies(self, op):
        return op in self.functions if self.functions is not None else op == "__import__" or hasattr(importlib, op)

    def install(self, when):
        if when == self.order and callable(getattr(self.module, "install", None)):
            self.module.install()

    def uninstall(self):
        if callable(getattr(self.module, "uninstall", None)):
            self.module.uninstall()


def step_import():
    """The __import__ a hook target's steps use: importlib's, unless the hook replaced the builtin."""
    return importlib.__import__ if builtins.__import__ is ORIGINAL_IMPORT else builtins.__import__


def load_target(spec):
    names = ("__import__", "import_module", "find_loader", "invalidate_caches", "reload")
    if spec == "stdlib":
        return Target({n: getattr(importlib, n) for n in names if hasattr(importlib, n)})
    if spec == "builtin":
        functions = {n: getattr(importlib, n) for n in names if hasattr(importlib, n)}
        functions["__import__"] = builtins.__import__
        return Target(functions)
    if not spec.endswith(".py") and os.sep not in spec:  # a dotted module name, as --target has it
        module = importlib.import_module(spec)
    else:
        path = os.path.abspath(spec)
        module_spec = importlib.util.spec_from_file_location("repro_target", path)
        module = importlib.util.module_from_spec(module_spec)
        sys.path.insert(0, os.path.dirname(path))  # as in the worker: a target may import its neighbours
        try:
            module_spec.loader.exec_module(module)
        finally:
            sys.path.remove(os.path.dirname(path))
    functions = {n: getattr(module, n) for n in names if callable(getattr(module, n, None))}
    return Target(functions or None, module)  # none: a hook target


def settime(path, when):
    os.utime(path, (when, when))


def case_path(relative):
    return os.path.join(CASE, relative.replace("{tag}", sys.implementation.cache_tag or "notag"))


def file_bytes(path, source):
    """A file's bytes: lines of text, or {"pyc": ...}: bytecode compiled here (PEP 552 header)."""
    text = lambda lines: "".join(line + "\n" for line in lines)
    if isinstance(source, list):
        return text(source).encode("utf-8")
    if "zip" in source:  # an archive: stored entries, each dated 2017-07-14 02:40:00
        import io, zipfile
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, entry in sorted(source["zip"].items()):
                name = name.replace("{tag}", sys.implementation.cache_tag or "notag")
                parts = name.split("/")[:-1]
                for depth in range(1, len(parts) + 1):
                    directory = "/".join(parts[:depth]) + "/"
                    if directory not in archive.namelist():
                        archive.writestr(zipfile.ZipInfo(directory, (2017, 7, 14, 2, 40, 0)), b"")
                archive.writestr(zipfile.ZipInfo(name, (2017, 7, 14, 2, 40, 0)),
                                 file_bytes(os.path.join(path, name), entry))
        return buffer.getvalue()
    pyc = source["pyc"]
    code = compile(text(pyc["source"]), path, "exec", dont_inherit=True)
    header_source = text(pyc.get("header_source", pyc["source"])).encode("utf-8")
    kind = pyc.get("invalidation", "timestamp")
    flags = {"timestamp": 0, "unchecked-hash": 1, "checked-hash": 3}[kind]
    header = importlib.util.MAGIC_NUMBER + struct.pack("<I", pyc.get("flags", flags))
    if kind == "timestamp":
        header += struct.pack("<II", BASE_MTIME + pyc.get("mtime_offset", 0), pyc.get("size", len(header_source)))
    else:
        header += importlib.util.source_hash(header_source)
    body = code if pyc.get("body", "code") == "code" else ("not", "code")
    return (header + marshal.dumps(body))[:pyc.get("truncate")]


def write(relative, lines, keep_mtime=False, keep_file_mtime=False):
    path = case_path(relative)
    parent = os.path.dirname(path)
    existing = parent
    while not os.path.isdir(existing):
        existing = os.path.dirname(existing)
    before = os.stat(existing).st_mtime
    file_before = os.stat(path).st_mtime if keep_file_mtime and os.path.exists(path) else None
    os.makedirs(parent, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(file_bytes(path, lines))
    _tick[0] += 1
    settime(path, BASE_MTIME + 10 * _tick[0] if file_before is None else file_before)
    if parent != existing:
        settime(parent, BASE_MTIME + 10 * _tick[0])
    settime(existing, before if keep_mtime else BASE_MTIME + 10 * _tick[0])


def delete(relative, keep_mtime=False):
    path = case_path(relative)
    parent = os.path.dirname(path)
    before = os.stat(parent).st_mtime
    shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    _tick[0] += 1
    settime(parent, before if keep_mtime else BASE_MTIME + 10 * _tick[0])


def materialise(files, dirs):
    for relative in dirs:
        os.makedirs(os.path.join(CASE, relative), exist_ok=True)
    for relative, lines in sorted(files.items()):
        path = case_path(relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(file_bytes(path, lines))
    for top, _, names in os.walk(CASE):
        for name in names:
            settime(os.path.join(top, name), BASE_MTIME)
        settime(top, BASE_MTIME)


def make_stub(name, attrs, delete=()):
    module = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(module, key, value)
    for key in delete:
        delattr(module, key)
    return module


def make_spec(name, loader=None, origin=None, is_package=False, attrs=None):
    spec = importlib.machinery.ModuleSpec(name, loader, origin=origin, is_package=is_package)
    for key, value in (attrs or {}).items():
        setattr(spec, key, value)
    return spec


class Finder:
    """The case's meta-path finder: logs calls; `kind` says what find_spec does."""

    def __init__(self, kind, name, names=None, modules=None, packages=(), exception="RuntimeError", options=None):
        self.kind, self.name, self.names = kind, name, names
        self.modules, self.packages, self.exception = modules or {}, packages, exception
        self.options = options or {}  # serving: origin, ask_package, loader; locating: its own

    def find_spec(self, fullname, path=None, target=None):
        print("  finder %s: find_spec(%r)" % (self.name, fullname))
        if self.names is not None and fullname not in self.names:
            return None
        if self.kind == "raising":
            raise getattr(builtins, self.exception)("finder %s refuses %s" % (self.name, fullname))
        if self.kind == "loaderless":
            return importlib.machinery.ModuleSpec(fullname, None, is_package=fullname in self.packages)
        if self.kind == "serving" and fullname in self.modules:
            source = "".join(line + "\n" for line in self.modules[fullname])
            extra = {"origin": self.options["origin"]} if "origin" in self.options else {}
            if not self.options.get("ask_package"):
                extra["is_package"] = fullname in self.packages
            kind = self.options.get("loader", {})
            if kind in ("builtin", "frozen"):
                loader = {"builtin": importlib.machinery.BuiltinImporter,
                          "frozen": importlib.machinery.FrozenImporter}[kind]
            else:
                loader = SourceLoader(source, kind)
            spec = importlib.util.spec_from_loader(fullname, loader, **extra)
            for attr, value in self.options.get("spec_attrs", {}).items():
                setattr(spec, attr, os.path.join(CASE, value) if attr in ("origin", "cached")
                        and isinstance(value, str) else value)
            return spec
        if self.kind == "locating" and fullname in self.options.get("locations", {}):
            return self.locate(fullname)
        return None

    def locate(self, fullname):
        """spec_from_file_location for the file the finder declares for fullname."""
        location = self.options["locations"][fullname]
        tag = getattr(sys.implementation, "cache_tag", None) or "notag"
        if location is not None:
            location = location.replace("{tag}", tag)
            location = location if self.options.get("relative") else os.path.join(CASE, location)
            if self.options.get("pathlike"):
                location = pathlib.Path(location)
        extra = {}
        kind = self.options.get("loader")
        if kind in ("source", "sourceless"):
            loader = {"source": importlib.machinery.SourceFileLoader,
                      "sourceless": importlib.machinery.SourcelessFileLoader}[kind]
            extra["loader"] = loader(fullname, location)
        elif kind in ("builtin", "frozen"):
            extra["loader"] = {"builtin": importlib.machinery.BuiltinImporter,
                               "frozen": importlib.machinery.FrozenImporter}[kind]
        if fullname in self.options.get("search_locations", {}):
            extra["submodule_search_locations"] = [os.path.join(CASE, d)
                                                   for d in self.options["search_locations"][fullname]]
        return importlib.util.spec_from_file_location(fullname, location, **extra)

    def invalidate_caches(self):
        print("  finder %s: invalidate_caches()" % self.name)
        if self.kind == "invalidate_raising":
            raise RuntimeError("finder %s cannot invalidate" % self.name)


class LegacyLoader:
    """load_module() only (PEP 302); with `filename`, get_filename() and is_package() too; a
    `bare` one sets no attributes and leaves a failed module in sys.modules."""

    def __init__(self, name, modules, packages=(), bare=False, filename=None):
        self.name, self.modules, self.packages, self.bare = name, modules, packages, bare
        if filename is not None:
            self.get_filename = lambda fullname: os.path.join(CASE, filename)
            self.is_package = lambda fullname: fullname in packages

    def load_module(self, fullname):
        print("  finder %s: load_module(%r)" % (self.name, fullname))
        made = fullname not in sys.modules
        module = sys.modules.setdefault(fullname, types.ModuleType(fullname))
        if not self.bare:
            module.__loader__ = self
            module.__package__ = fullname if fullname in self.packages else fullname.rpartition(".")[0]
            if fullname in self.packages:
                module.__path__ = []
        try:
            exec("".join(line + "\n" for line in self.modules[fullname]), module.__dict__)
        except BaseException:
            if made and not self.bare:
                sys.modules.pop(fullname, None)
            raise
        return sys.modules[fullname]


class LegacyFinder:
    """A meta-path finder with find_module() only (kind legacy_serving)."""

    def __init__(self, kind, name, names=None, modules=None, packages=(), bare=False, filename=None):
        self.name, self.names = name, names
        self.loader = LegacyLoader(name, modules or {}, packages, bare, filename)

    def find_module(self, fullname, path=None):
        print("  finder %s: find_module(%r)" % (self.name, fullname))
        if fullname in self.loader.modules and (self.names is None or fullname in self.names):
            return self.loader
        return None


class LegacyLoaderFinder(LegacyFinder):
    """find_spec() whose specs carry a load_module()-only loader (kind legacy_loader)."""

    def find_spec(self, fullname, path=None, target=None):
        print("  finder %s: find_spec(%r)" % (self.name, fullname))
        if fullname in self.loader.modules and (self.names is None or fullname in self.names):
            return importlib.machinery.ModuleSpec(fullname, self.loader, is_package=fullname in self.loader.packages)
        return None


def legacy_path_hook(kind, entry, name, modules, packages=()):
    """A path hook giving `entry` a path-entry finder with find_loader() or find_module() only."""
    loader = LegacyLoader(name, modules, packages)

    class EntryFinder:
        def invalidate_caches(self):
            print("  finder %s: invalidate_caches()" % name)

    def find(fullname):
        print("  finder %s: %s(%r)" % (name, kind[len("legacy_"):], fullname))
        return loader if fullname in modules else None

    if kind == "legacy_find_loader":
        EntryFinder.find_loader = lambda self, fullname: (find(fullname), [])
    else:
        EntryFinder.find_module = lambda self, fullname: find(fullname)

    def hook(path):
        if path != os.path.join(CASE, entry):
            raise ImportError("not the entry of %s" % name)
        return EntryFinder()
    return hook


class SourceLoader:
    """Executes a source string; `declared` adds get_filename() (`filename`; None: it raises
    ImportError), is_package() (likewise) and a create_module() whose module has `module_attrs`."""

    def __init__(self, source, declared=None):
        self.source, declared = source, declared or {}
        if "filename" in declared:
            path = declared["filename"]
            self.get_filename = lambda fullname: or_import_error(path and os.path.join(CASE, path), fullname)
        if "is_package" in declared:
            self.is_package = lambda fullname: or_import_error(declared["is_package"], fullname)
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


def or_import_error(value, fullname):
    if value is None:
        raise ImportError("the loader cannot tell for %s" % fullname, name=fullname)
    return value


def namespace(module):
    """A module's namespace, read without attribute access: a lazily loaded module
    (importlib.util.LazyLoader) would run on the first one, and printing it must not run it."""
    try:
        names = object.__getattribute__(module, "__dict__")
    except Exception:
        return {}
    return names if isinstance(names, dict) else {}


def from_library(value):
    """The interpreter's own modules (builtin, frozen, or from a file outside the case):
    which of them a step imports on the side is not the case's business."""
    if not isinstance(value, types.ModuleType):
        return False
    names = namespace(value)
    if names.get("__name__") in sys.builtin_module_names:
        return True
    if getattr(names.get("__spec__"), "origin", None) in ("built-in", "frozen"):
        return True
    path = names.get("__file__")
    return isinstance(path, str) and not os.path.realpath(path).startswith(os.path.realpath(CASE))


def describe(value):
    if isinstance(value, types.ModuleType):
        keys = [k for k, v in list(sys.modules.items()) if v is value]
        names = namespace(value)
        loader = names.get("__loader__")
        loader = loader.__name__ if isinstance(loader, type) else type(loader).__name__
        return "module %r (file %s, loader %s, in sys.modules as %s)" % (
            names.get("__name__"), str(names.get("__file__")).replace(CASE, "<case>"), loader.lstrip("_"), keys)
    return repr(value).replace(CASE, "<case>")


def pending():
    """The case's names in sys.lazy_modules (lazy imports, 3.15), the standard library's left out."""
    library = getattr(sys, "stdlib_module_names", ())
    return {name for name in list(getattr(sys, "lazy_modules", ())) if name.partition(".")[0] not in library}


def lazy_imports(mode=None, eager=None):
    """A case's global lazy imports mode and filter (3.15): the filter keeps an import eager when
    the name it resolves to is listed, and says when it is asked. Where there are none, the case
    does not apply (the worker calls it unsupported)."""
    if not hasattr(sys, "set_lazy_imports"):
        print("unsupported: this interpreter has no lazy imports (CPython 3.15 added them)")
        sys.exit(0)
    if eager is not None:
        def lazy_filter(importer, name, fromlist=None):
            print("  lazy filter asked: %s imports %s (fromlist %s)" % (importer, name, fromlist))
            return name not in eager
        sys.set_lazy_imports_filter(lazy_filter)
    if mode is not None:
        sys.set_lazy_imports(mode)


def step(index, text, action, target=None):
    """Perform one step; a call step (`target` given) runs with the target's functions in
    importlib and its __import__ as the builtin (a hook target's: as its hook leaves them)."""
    before, lazy_before = dict(sys.modules), pending()
    del EXECUTED[:]
    saved, functions = {}, target.functions if target is not None else None
    hooked = builtins.__import__
    if functions:
        saved = {name: getattr(importlib, name, None) for name in functions}
        for name, function in functions.items():
            setattr(importlib, name, function)
        if "__import__" in functions:
            builtins.__import__ = functions["__import__"]
    elif target is not None:
        builtins.__import__ = step_import()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = action()
            print("step %d %s -> returned %s" % (index, text, describe(result)))
        except BaseException as exc:
            result = None
            print("step %d %s -> raised %s: %s" % (index, text, type(exc).__name__,
                                                  str(exc).replace(CASE, "<case>")))
        finally:
            builtins.__import__ = ORIGINAL_IMPORT if functions else hooked
            for name, function in saved.items():
                if function is None:
                    delattr(importlib, name)
                else:
                    setattr(importlib, name, function)
    RESULTS.append(result)
    for warning in caught:
        print("  warning %s: %s" % (warning.category.__name__, warning.message))
    added = [k for k in sys.modules if k not in before and not from_library(sys.modules[k])]
    removed = [k for k in before if k not in sys.modules]
    if added or removed:
        print("  sys.modules: added %s, removed %s" % (added, removed))
    if EXECUTED:
        print("  executed: %s" % EXECUTED)
    lazy_after = pending()
    if lazy_after != lazy_before:
        print("  sys.lazy_modules: added %s, removed %s" % (sorted(lazy_after - lazy_before),
                                                            sorted(lazy_before - lazy_after)))


def final_state(baseline):
    print("final state:")
    for key, value in list(sys.modules.items()):
        if key in baseline and baseline[key] is value or key not in baseline and from_library(value):
            continue
        parent, _, child = key.rpartition(".")
        bound = ""
        if parent and parent in sys.modules:
            bound = " (bound on parent)" if namespace(sys.modules[parent]).get(child) is value else " (not bound on parent)"
        attrs = {k: (v if isinstance(v, (int, str, bool, type(None))) else repr(v))
                 for k, v in sorted(namespace(value).items())
                 if not k.startswith("__") and (isinstance(v, (int, str, bool, type(None)))
                                                or type(v).__name__ == "lazy_import")}  # not used yet
        print("  %s: %s%s %s" % (key, describe(value) if not isinstance(value, types.ModuleType)
                                 else "module", bound, attrs))
    left = pending()
    if left:
        print("  still pending lazily (sys.lazy_modules): %s" % sorted(left))
    for top, _, names in sorted(os.walk(CASE)):
        for name in sorted(n for n in names if n.endswith(".pyc")):
            with open(os.path.join(top, name), "rb") as handle:
                head = handle.read(16)
            print("  bytecode file %s: header %s" % (os.path.join(top, name).replace(CASE, "<case>"), head[4:].hex()))


ORIGINAL_IMPORT = builtins.__import__
