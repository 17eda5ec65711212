"""Loading a module from its spec: create the module object, give it the import attributes,
put it in sys.modules and execute it there; or, for reload, execute a spec again in the
module object that already exists.
"""
import sys
import types

from . import _profile
from ._legacy import load_through_load_module, uses_load_module, warn_fallback
from ._locks import NameLock
from ._loaders import NamespaceLoader
from ._verbose import report

__all__ = ["execute_again", "load_new_module", "set_import_attributes"]


def set_import_attributes(spec, module, replace=False):
    """Set __name__, __loader__, __package__, __spec__, __path__, __file__ and __cached__ from
    the spec; without `replace`, only those the module lacks (or has as None), __spec__ always
    (observed: case sys_modules.spec_fields). A namespace package gets a NamespaceLoader and
    __file__ None (case namespace.single_portion). Attributes the module refuses are skipped."""
    def assign(attribute, value):
        try:
            setattr(module, attribute, value)
        except AttributeError:
            pass

    def missing(attribute):
        return replace or getattr(module, attribute, None) is None

    if missing("__name__"):
        assign("__name__", spec.name)
    if missing("__loader__"):
        loader = spec.loader
        if loader is None and spec.submodule_search_locations is not None:
            loader = spec.loader = NamespaceLoader(spec.submodule_search_locations)
            module.__file__ = None
        assign("__loader__", loader)
    if missing("__package__"):
        assign("__package__", spec.parent)
    assign("__spec__", spec)
    if missing("__path__") and spec.submodule_search_locations is not None:
        assign("__path__", spec.submodule_search_locations)
    if spec.has_location:
        if missing("__file__"):
            assign("__file__", spec.origin)
        if missing("__cached__") and _profile.current.sets_cached and spec.cached is not None:
            assign("__cached__", spec.cached)
    return module


def _created_module(spec):
    """What the loader's create_module() returns, or else a new empty module; a loader with
    exec_module() must have create_module() (case machinery.create_module_missing)."""
    module = None
    if hasattr(spec.loader, "create_module"):
        module = spec.loader.create_module(spec)
    elif hasattr(spec.loader, "exec_module"):
        raise ImportError("loaders that define exec_module() must also define create_module()")
    if module is None:
        module = types.ModuleType(spec.name)
    return set_import_attributes(spec, module)


def _execute(spec, module):
    """Run the module's code through its loader; a spec without loader and without search
    locations cannot be executed (case machinery.loaderless_spec_imported)."""
    if spec.loader is None:
        if spec.submodule_search_locations is None:
            raise ImportError("missing loader", name=spec.name)
    else:
        spec.loader.exec_module(module)


def _move_to_end(name):
    """What sys.modules holds for `name` after execution, entered again at the end of
    sys.modules (case sys_modules.entry_order)."""
    module = sys.modules.pop(name)
    sys.modules[name] = module
    return module


def load_new_module(spec):
    """Create the module, put it in sys.modules, execute it; if execution fails, take it out
    again (case sys_modules.failing_body_removed). The result is what sys.modules holds after
    execution, which the module's code may have replaced (case sys_modules.replaced_during_exec).
    While executing, the spec says so: the interpreter's "partially initialized module" message
    reads it (case circular.attribute_partial)."""
    if uses_load_module(spec):
        return load_through_load_module(spec, _profile.current)
    module = _created_module(spec)
    spec._initializing = True
    try:
        sys.modules[spec.name] = module
        try:
            _execute(spec, module)
        except BaseException:
            try:
                del sys.modules[spec.name]
            except KeyError:
                pass
            raise
        module = _move_to_end(spec.name)
        # observed (case verbose.modules, 3.8-3.15): with -v, a module loaded is reported with
        # its loader once executed, whatever loaded it; a reload is not reported so
        report("import %r # %r" % (spec.name, spec.loader))
        _no_longer_pending(spec.name)
        return module
    finally:
        spec._initializing = False


def _no_longer_pending(name):
    """A module loaded is no longer a pending lazy import (3.15: "When a lazily imported module
    is accessed for the first time, its name is removed from this set", sys.lazy_modules).
    Observed on 3.15.2 (cases lazy.*): the name leaves the set when a load of it succeeds, by
    whatever import; a failed load, or an import that finds it in sys.modules, leaves it."""
    pending = getattr(sys, "lazy_modules", None)
    if isinstance(pending, set):
        pending.discard(name)


def execute_again(spec, module):
    """Execute `spec` in the existing module object (seed reload.5): same object, same
    namespace (seed reload.10), import attributes set anew from the spec first."""
    name = spec.name
    with NameLock(name):
        if sys.modules.get(name) is not module:
            raise ImportError("module {!r} not in sys.modules".format(name), name=name)
        try:
            if spec.loader is not None and uses_load_module(spec):
                set_import_attributes(spec, module, replace=True)
                warn_fallback(spec.loader, "exec_module", "load_module", _profile.current)
                spec.loader.load_module(name)
            else:
                if spec.loader is not None or spec.submodule_search_locations is not None:
                    set_import_attributes(spec, module, replace=True)
                _execute(spec, module)
        finally:
            module = _move_to_end(name)
    return module
