"""Promises of the import system that need no reference: checked on the modules an import step
returned and added, right after the step, and reported by name where one is broken.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax. A step's observation
gets `"invariants": [names broken]` only where one is broken, so a run that keeps them all
observes what it did before they were checked. A case can break a promise itself (a module body
that assigns its own `__loader__`); the comparison with the reference tells that apart from a
target that breaks it (docs/invariants.md).
"""
import sys
import types

from conformance._worker.observe import namespace

__all__ = ["PROMISES", "broken_invariants"]

_MISSING = object()

# name -> (the promise, where it is made)
PROMISES = {
    "spec-loader": ("module.__spec__.loader is module.__loader__",
                    "language reference, The import system, 5.4.4 (__loader__ and __spec__)"),
    "spec-name": ("module.__name__ == module.__spec__.name",
                  "language reference, The import system, 5.4.4 (__name__ and __spec__)"),
    "spec-parent": ("module.__package__ == module.__spec__.parent",
                    "language reference, The import system, 5.4.4 (__package__ and __spec__.parent)"),
    "returned-is-cached": ("import_module(name) and reload(module) return sys.modules[name] as it then is",
                           "seed import_module.6 and reload.3; language reference 5.3.1 (the module cache)"),
    "submodule-bound": ("after import_module('a.b') loads a.b, sys.modules['a'].b is sys.modules['a.b']",
                        "language reference, The import system, 5.4.2 (submodules)"),
}


def broken_invariants(op, name, result, added):
    """The names of the promises broken by a step `op` that returned `result` (None if it
    raised), given its `name` argument and what it added to sys.modules ({key: value})."""
    broken = []
    modules = [module for module in [result] + list(added.values()) if isinstance(module, types.ModuleType)]
    seen = set()
    for module in modules:
        if id(module) in seen:
            continue
        seen.add(id(module))
        for promise in _spec_promises(module):
            if promise not in broken:
                broken.append(promise)
    if result is not None and op in ("import_module", "reload"):
        key = _cached_name(op, name, result)
        if key is not None and sys.modules.get(key, _MISSING) is not result:
            broken.append("returned-is-cached")
        if op == "import_module" and key in added and "." in key and not _bound(key):  # loaded by this step
            broken.append("submodule-bound")
    return broken


def _spec_promises(module):
    names = namespace(module)
    spec = names.get("__spec__")
    if spec is None:
        return []
    broken = []
    loader = names.get("__loader__", _MISSING)
    if loader is not _MISSING and getattr(spec, "loader", _MISSING) is not loader:
        broken.append("spec-loader")
    if "__name__" in names and getattr(spec, "name", _MISSING) != names["__name__"]:
        broken.append("spec-name")
    if names.get("__package__") is not None and _parent(spec) != names["__package__"]:
        broken.append("spec-parent")
    return broken


def _parent(spec):
    try:
        return spec.parent
    except Exception:
        return _MISSING


def _cached_name(op, name, result):
    """The sys.modules key the step's promise is about: an absolute name given to import_module,
    or the name of the module reloaded (None where there is none to check)."""
    if op == "import_module":
        return name if isinstance(name, str) and name and not name.startswith(".") else None
    value = namespace(result).get("__name__")
    return value if isinstance(value, str) else None


def _bound(key):
    parent_name, _, child = key.rpartition(".")
    parent = sys.modules.get(parent_name)
    if not isinstance(parent, types.ModuleType):
        return True  # no parent module to bind on: not this promise's business
    return namespace(parent).get(child, _MISSING) is sys.modules.get(key, _MISSING)
