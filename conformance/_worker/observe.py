"""Observations: JSON-safe, normalised descriptions of what a step did.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax.
Normalisation removes only what a case cannot control (the case directory,
the stdlib location, the bytecode cache tag, object addresses, an OSError's
errno number: its name instead, as WebAssembly numbers them otherwise).
"""
import errno
import os
import re
import sys
import types

from conformance._worker.lazy import describe_lazy, is_lazy

__all__ = ["MACHINERY", "Observer", "class_name", "normalise_recursion", "ran_away"]

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")
_ID = re.compile(r"(?<=\)) at \d{6,}")  # an object's id() in decimal after its repr: "_ModuleLock('b') at 1403..."
_OBJECT = re.compile(r"<(?:([\w.]+)\.)?(\w+) object at 0x\?>")  # after _ADDRESS
# modules of the import machinery (and the worker's, whose classes stand for a case's declared
# finders): their classes are shown without a leading underscore, as implementations spell them
# either way (_NamespaceLoader, NamespaceLoader); everything else's exactly
MACHINERY = ("importlib", "_frozen_importlib", "_frozen_importlib_external", "zipimport", "conformance",
             "_conformance_source_importlib")  # the `source` target's copy of importlib (source.PACKAGE)
_SIMPLE = (bool, int, float, str, type(None))
_MISSING = object()
_CHAIN_DEPTH = 6


class Observer(object):
    """Describes values, exceptions and sys.modules changes of one case run.

    Module objects get labels by role (m:NAME, the name they bore when first seen), so that
    identity across steps ("reload returned the same object") is observable.
    """

    def __init__(self, case_dir):
        """case_dir: the run's directory as a real path (no symbolic links), as the worker makes
        it; resolving it here would cost every run a walk of the path."""
        self.case_dir = case_dir
        self.stdlib_dir = os.path.dirname(os.__file__)
        self.cache_tag = getattr(sys.implementation, "cache_tag", None) or "<none>"
        self._labels = {}  # id(obj) -> label
        self._count = {}  # name -> objects labelled with it
        self._keep = []  # keep labelled objects alive so ids stay unique

    # -- text and paths -------------------------------------------------
    def text(self, value):
        """Normalise a message or a path: case dir, stdlib dir, tag, addresses."""
        value = str(value)
        value = value.replace(self.case_dir, "<case>")
        value = value.replace(self.stdlib_dir, "<stdlib>")
        value = value.replace(self.cache_tag, "<tag>")
        return _ID.sub(" at ?", _ADDRESS.sub("0x?", value))

    def repr_text(self, obj, objects=False):
        """repr(obj) normalised (`objects`: each `<X object at 0x?>` in it as `<X object>`, X as
        class_name spells it), then cut to 200 characters: cut first, a long case path would
        escape normalisation."""
        text = self.text(_safe_repr(obj))
        if objects:
            text = _OBJECT.sub(_object_text, text)
        return text if len(text) <= 200 else text[:200] + "..."

    def label(self, obj):
        """A module by its role: `m:NAME` for the case's module named NAME when first seen, and
        `m:NAME#2`, `m:NAME#3`... for other objects bearing that name (a reload that makes a new
        module, a replaced sys.modules entry), so that one difference never renames the others;
        lib:NAME for the interpreter's own library."""
        key = id(obj)
        if key not in self._labels:
            name = namespace(obj).get("__name__", "?") if isinstance(obj, types.ModuleType) else "?"
            name = name if isinstance(name, str) else "?"
            if isinstance(obj, types.ModuleType) and self.from_library(obj):
                self._labels[key] = "lib:%s" % (name,)
            else:
                self._count[name] = self._count.get(name, 0) + 1
                self._labels[key] = "m:%s" % name + ("#%d" % self._count[name] if self._count[name] > 1 else "")
            self._keep.append(obj)
        return self._labels[key]

    def case_added(self, value):
        """An entry that counts as added by the case: anything but a library module."""
        return not (isinstance(value, types.ModuleType) and self.label(value).startswith("lib:"))

    def keys_holding(self, obj):
        return [key for key, value in list(sys.modules.items()) if value is obj]

    # -- values -----------------------------------------------------------
    def value(self, obj, depth=0):
        """Describe any object; modules in full, other objects by type and repr."""
        if isinstance(obj, types.ModuleType):
            return self.module(obj)
        if isinstance(obj, _SIMPLE):
            return {"type": type(obj).__name__, "value": self._simple(obj)}
        if isinstance(obj, (list, tuple)) and depth < 2:
            return {"type": type(obj).__name__,
                    "items": [self.value(item, depth + 1) for item in obj[:20]]}
        if hasattr(obj, "exec_module") or hasattr(obj, "load_module"):
            # a loader: its kind, not the module it is defined in (implementations differ)
            return {"type": "loader", "kind": self.loader(obj)}
        return {"type": _qualname(type(obj)), "repr": self.repr_text(obj)}

    def _simple(self, obj):
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, float) and obj != obj:
            return "nan"
        if isinstance(obj, float) and obj in (float("inf"), float("-inf")):
            return repr(obj)
        return obj

    def module(self, module):
        """A module's identity relative to sys.modules and its import attributes."""
        desc = {"type": "module", "id": self.label(module),
                "in_sys_modules": self.keys_holding(module)}
        names = namespace(module)
        for attr in ("__name__", "__package__", "__file__", "__cached__"):
            value = names.get(attr, _MISSING)
            desc[attr] = "<missing>" if value is _MISSING else self._attr(value)
        path = names.get("__path__", _MISSING)
        desc["__path__"] = "<missing>" if path is _MISSING else self.path_list(path)
        desc["__loader__"] = self.loader(names.get("__loader__", _MISSING))
        desc["__spec__"] = self.spec(names.get("__spec__", _MISSING))
        desc["repr"] = self.module_repr(module)
        return desc

    def module_repr(self, module):
        """repr() of a plain module, normalised (an object in it, a loader say, by its class name
        only: where an implementation defines it differs); of a module subclass only its class
        name, as its repr may read attributes (a lazily loaded module would run its body)."""
        if type(module) is not types.ModuleType:
            return "<%s instance>" % class_name(type(module))
        return self.repr_text(module, objects=True)

    def _attr(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, _SIMPLE):
            return value
        return {"type": _qualname(type(value)), "repr": self.repr_text(value)}

    def path_list(self, value):
        try:
            items = [self._attr(item) for item in list(value)]
        except Exception as exc:  # a __path__ that cannot be iterated
            return {"type": class_name(type(value)), "error": _qualname(type(exc))}
        if isinstance(value, list):
            return items
        return {"type": class_name(type(value)), "items": items}

    def loader(self, loader):
        if loader is _MISSING:
            return "<missing>"
        if loader is None:
            return None
        if isinstance(loader, type):  # BuiltinImporter and friends are classes
            return class_name(loader)
        return class_name(type(loader))

    def spec(self, spec):
        if spec is _MISSING:
            return "<missing>"
        if spec is None:
            return None
        desc = {"type": type(spec).__name__}
        for field in ("name", "parent", "origin", "cached", "has_location"):
            try:
                value = getattr(spec, field)
            except Exception as exc:
                value = {"error": _qualname(type(exc))}
            desc[field] = self._attr(value) if not isinstance(value, dict) else value
        locations = getattr(spec, "submodule_search_locations", None)
        desc["submodule_search_locations"] = (
            None if locations is None else self.path_list(locations))
        desc["loader"] = self.loader(getattr(spec, "loader", _MISSING))
        return desc

    # -- exceptions and warnings ---------------------------------------------
    def exception(self, exc):
        """Type, normalised message, ImportError fields, and the cause/context chain."""
        message = self.text(_safe_str(exc))
        if isinstance(exc, OSError) and isinstance(exc.errno, int):
            message = message.replace("[Errno %d]" % exc.errno, "[Errno %s]" % errno.errorcode.get(exc.errno, exc.errno))
        desc = {"type": _exception_type(type(exc)), "message": message}
        if isinstance(exc, ImportError):
            desc["name"] = self._attr(exc.name)
            desc["path"] = self._attr(exc.path)
        chain, seen, current = [], {id(exc)}, exc
        while len(chain) < _CHAIN_DEPTH:
            if current.__cause__ is not None:
                link, current = "cause", current.__cause__
            elif current.__context__ is not None and not current.__suppress_context__:
                link, current = "context", current.__context__
            else:
                break
            if id(current) in seen:
                break
            seen.add(id(current))
            chain.append([link, _exception_type(type(current))])
        desc["chain"] = chain
        return desc

    def warnings(self, records):
        return [[_qualname(w.category), self.text(w.message)] for w in records]

    # -- sys.modules ------------------------------------------------------------
    @staticmethod
    def snapshot():
        """sys.modules as it stands: a copy (insertion-ordered, like sys.modules)."""
        return sys.modules.copy()

    def modules_diff(self, before, after):
        """Keys added (in sys.modules order), removed, and replaced by another object,
        between two snapshots.

        Library modules a step imports are left out of "added": which of them get
        imported depends on what the worker had imported already, not on the case."""
        added, replaced = [], []
        for key, value in after.items():
            old = before.get(key, _MISSING)
            if old is _MISSING:
                if self.case_added(value):
                    added.append(self._entry(key, value))
            elif old is not value:
                replaced.append(self._entry(key, value))
        return {"added": added, "removed": [key for key in before if key not in after],
                "replaced": replaced}

    def _entry(self, key, value):
        if isinstance(value, types.ModuleType):
            return [key, self.label(value)]
        return [key, self.value(value)]

    def binding(self, key):
        """How a dotted sys.modules entry is bound on its parent package."""
        parent_name, _, child = key.rpartition(".")
        if not parent_name:
            return None
        parent = sys.modules.get(parent_name, _MISSING)
        if parent is _MISSING:
            return "no parent in sys.modules"
        if isinstance(parent, types.ModuleType):  # its namespace: a lazy parent must not run
            bound = namespace(parent).get(child, _MISSING)
        else:
            bound = getattr(parent, child, _MISSING) if parent is not None else _MISSING
        if bound is _MISSING:
            return "unbound"
        if bound is sys.modules.get(key, _MISSING):
            return "bound"
        if isinstance(bound, types.ModuleType):
            return "bound to " + self.label(bound)
        if is_lazy(bound):
            return "bound to " + describe_lazy(bound)
        return "bound to " + _qualname(type(bound))

    def final_state(self, baseline, cache_baseline):
        """What the case changed since the snapshot `baseline`, as it stands at the end:
        sys.modules entries (added or replaced, with binding and attributes; library modules only
        where they replaced a case's module), removed keys, and new sys.path_importer_cache entries."""
        modules = {}
        for key, value in list(sys.modules.items()):
            old = baseline.get(key, _MISSING)
            if old is value:
                continue
            if not self.case_added(value) and (old is _MISSING or not self.case_added(old)):
                continue  # a library module, new or in place of one: which of them a process had
                # imported before the case (a hook's library imports some) must not show
            entry = {"bound": self.binding(key)}
            if isinstance(value, types.ModuleType):
                entry["id"] = self.label(value)
                if self.from_library(value):
                    entry["library"] = True
                else:
                    entry["attrs"] = self.attributes(value)
            else:
                entry["value"] = self.value(value)
            modules[key] = entry
        removed = [key for key in baseline if key not in sys.modules]
        caches = {}
        for path, finder in list(sys.path_importer_cache.items()):
            if cache_baseline.get(path, _MISSING) is not finder and self._in_case(path):
                key = self.text(path if isinstance(path, str) else repr(path))
                caches[key] = None if finder is None else type(finder).__name__
        return {"modules": modules, "order": [k for k in sys.modules if k in modules],
                "removed": removed, "path_importer_cache": caches}

    def from_library(self, module):
        """True for the interpreter's own modules (builtin, frozen, or a file outside
        the case directory): the final state names them but does not list their attributes."""
        names = namespace(module)
        if names.get("__name__") in sys.builtin_module_names:
            return True
        origin = getattr(names.get("__spec__"), "origin", None)
        if origin in ("built-in", "frozen"):
            return True
        path = names.get("__file__")
        return isinstance(path, str) and not self._under_case_dir(os.path.join(self.case_dir, path))

    environment_entries = frozenset()  # set by run_case: relative sys.path entries before set-up

    def _in_case(self, path):
        if not isinstance(path, str):
            return True
        if path in self.environment_entries:
            return False
        return self._under_case_dir(os.path.join(self.case_dir, path))

    def _under_case_dir(self, path):
        """Paths a case's imports make start with the case directory, relative ones are
        relative to it (the working directory): no need to resolve each one on the file system."""
        path = os.path.normpath(path)
        return path == self.case_dir or path.startswith(self.case_dir + os.sep)

    def attributes(self, module):
        """Public attributes of a module: simple values in full, others by kind."""
        out = {}
        for name, value in sorted(namespace(module).items()):
            if name.startswith("__") and name.endswith("__"):
                continue
            if isinstance(value, types.ModuleType):
                out[name] = "module " + self.label(value)
            elif is_lazy(value):  # a lazy import's binding, not reified by being observed
                out[name] = describe_lazy(value)
            elif isinstance(value, _SIMPLE):
                out[name] = self._simple(value)
            else:  # the class name only: where a library defines it differs by implementation
                out[name] = "<%s>" % class_name(type(value))
        return out


def namespace(module):
    """A module's namespace, read without touching its attributes: a module that
    importlib.util.LazyLoader made runs its body on the first attribute access, and an
    observation must never be what runs it."""
    try:
        names = object.__getattribute__(module, "__dict__")
    except Exception:
        return {}
    return names if isinstance(names, dict) else {}


def class_name(cls):
    """A class by its name, exactly; a class of the import machinery without a leading
    underscore (implementations spell those either way: _NamespaceLoader, NamespaceLoader)."""
    name = getattr(cls, "__name__", "?")
    return name.lstrip("_") if _of_machinery(getattr(cls, "__module__", None)) else name


def _of_machinery(module):
    return isinstance(module, str) and module.split(".")[0] in MACHINERY


def _object_text(match):
    """An `<X object>` of a repr, its class spelled as class_name spells it."""
    name = match.group(2).lstrip("_") if _of_machinery(match.group(1)) else match.group(2)
    return "<%s object>" % name


def _exception_type(cls):
    """An exception's type as observed: by _qualname, but one of the import machinery's own
    (a deadlock between threads' imports) as `importlib.NAME`, NAME as class_name spells it:
    the frozen importlib, a copy of it run from source, and impl name their modules otherwise."""
    module = getattr(cls, "__module__", None)
    if _of_machinery(module) and module != "zipimport":
        return "importlib." + class_name(cls)
    return _qualname(cls)


def _qualname(cls):
    """A class by its module and name; a private submodule of a package left out (3.13 moved
    pathlib.PosixPath into pathlib._local: the class a program names is pathlib.PosixPath)."""
    module = getattr(cls, "__module__", None)
    name = getattr(cls, "__qualname__", getattr(cls, "__name__", "?"))
    if module in (None, "builtins", "exceptions", "__builtin__"):
        return name
    if isinstance(module, str) and "." in module:
        first, _, rest = module.partition(".")
        module = ".".join([first] + [part for part in rest.split(".") if not part.startswith("_")])
    return "%s.%s" % (module, name)


def _safe_repr(obj):
    try:
        return repr(obj)
    except Exception as exc:
        return "<repr raised %s>" % type(exc).__name__


def _safe_str(exc):
    try:
        return str(exc)
    except Exception as err:
        return "<str raised %s>" % type(err).__name__


def ran_away(exc):
    """Whether a RecursionError is anywhere in the cause/context chain of `exc`, however long
    (an observation shows only its first links)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, RecursionError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ if exc.__cause__ is not None else exc.__context__
    return False


def normalise_recursion(exception, executed, calls, warned, runaway=False, reports=()):
    """A runaway import ends in RecursionError (raised, or in the chain of what was raised, which
    `runaway` says where the chain shown is too short to reach it). How deep it went, so how often
    each module ran, each finder was called, each warning was given and each link of the chain was
    repeated, and what was being handled (or opened) where the limit struck, depends on how many frames the
    implementation (or a hook) spends per import, not on the case: keep the facts, not the depth.
    Returns executed, calls, warned (the warnings given) and reports (-v's lines), normalised alike."""
    chain = exception.get("chain", [])
    recursion_links = [link for link in chain if link[1] == "RecursionError"]
    if exception.get("type") != "RecursionError" and not recursion_links and not runaway:
        return executed, calls, warned, list(reports)
    if exception.get("type") == "RecursionError":
        exception["message"] = "<recursion limit>"
        chain = []  # what was being handled depends on where the limit struck (another RecursionError, or not)
    elif recursion_links:
        chain = chain[:chain.index(recursion_links[0]) + 1]
    exception["chain"] = _distinct(chain)
    # a file the limit struck while it was being opened: its ResourceWarning too
    warned = [warning for warning in _distinct(warned) if warning[0] != "ResourceWarning"]
    return _distinct(executed), _distinct(calls), warned, _distinct(reports)


def _distinct(items):
    """Items in order of first appearance, each once."""
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
