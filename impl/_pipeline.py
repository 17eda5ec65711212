"""The import of one absolute name: sys.modules first; else import the parent, find a spec on
the parent's __path__, load the module, and bind it as an attribute of its parent. Then, for
`from ... import`, the submodules a fromlist names.
"""
import sys
import warnings

from . import _profile
from ._finding import spec_from_meta_path
from ._loading import load_new_module
from ._locks import DeadlockError, NameLock
from ._names import absolute_name, check_arguments

__all__ = ["fill_fromlist", "import_name"]

_ABSENT = object()  # not in sys.modules (None there means something else)


def _not_found(name, detail=""):
    return ModuleNotFoundError("No module named {!r}{}".format(name, detail), name=name)


def import_name(name, package=None, level=0):
    """The module `name` (relative to `package` when `level` > 0) names, imported if it is not
    in sys.modules yet (seed import_module.1-3)."""
    check_arguments(name, package, level)
    if level > 0:
        name = absolute_name(name, package, level)
    return _cached_or_imported(name)


def _cached_or_imported(name):
    """sys.modules first: a module there is the result as it is (seed __import__.1), None halts
    the import (case sys_modules.none_entry); otherwise imported under the name's lock."""
    try:
        with NameLock(name):
            module = sys.modules.get(name, _ABSENT)
            if module is _ABSENT:
                return _import_absent(name)
    except DeadlockError:
        # another thread imports it and waits, through others, for this one: up to 3.14 the
        # error stands; from 3.15 the partly initialised module is the result
        module = sys.modules.get(name, _ABSENT)
        if not _profile.current.deadlock_takes_partial_module or module is _ABSENT:
            raise
    if module is None:
        raise ModuleNotFoundError("import of {} halted; None in sys.modules".format(name), name=name)
    return module


def _initializing(module):
    """Whether a module in sys.modules is still being imported (its spec says so while its
    loader executes it; impl/_loading.py sets the flag as the interpreter's import does)."""
    return getattr(getattr(module, "__spec__", None), "_initializing", False) is True


def _parent_search_path(name, parent):
    """The parent's __path__, where the child's finders look; a parent without one is not a
    package (case import_module.error.not_a_package)."""
    try:
        return sys.modules[parent].__path__
    except AttributeError:
        raise _not_found(name, "; {!r} is not a package".format(parent)) from None


def _import_absent(name):
    """Import the parent package first (seed import_module.8), find the spec on its __path__,
    load the module, bind it on the parent."""
    parent, _, child = name.rpartition(".")
    search_path = None
    parent_spec = None
    if parent:
        if parent not in sys.modules:
            _cached_or_imported(parent)
        if name in sys.modules:  # the parent's own code imported it
            # observed: case sys_modules.none_left_by_parent (a None the parent left is the result
            # up to 3.13; 3.14 imports the child in its place; 3.15 halts as for any None)
            left = sys.modules[name]
            if left is None and _profile.current.none_left_by_parent == "halts":
                raise ModuleNotFoundError("import of {} halted; None in sys.modules".format(name), name=name)
            if left is not None or _profile.current.none_left_by_parent == "returned":
                return left
        search_path = _parent_search_path(name, parent)
        if _profile.current.child_waits_for_parent and _initializing(sys.modules[parent]):
            _cached_or_imported(parent)  # under its lock: another thread's import of it ends first
            if name in sys.modules:
                return sys.modules[name]
        if _profile.current.uninitialized_submodules:
            parent_spec = getattr(sys.modules[parent], "__spec__", None)
    spec = spec_from_meta_path(name, search_path)
    if spec is None:
        raise _not_found(name)
    module = _load_as_child(spec, parent_spec, child)
    if parent:
        _bind_on_parent(parent, child, module)
    return module


def _load_as_child(spec, parent_spec, child):
    """Load the module; from 3.11 the parent's spec lists the child while it loads (observed:
    ModuleSpec has `_uninitialized_submodules` from 3.11, which the interpreter's "cannot
    access submodule" message reads)."""
    loading = getattr(parent_spec, "_uninitialized_submodules", None)
    if loading is not None:
        loading.append(child)
    try:
        return load_new_module(spec)
    finally:
        if loading is not None:
            loading.pop()


def _bind_on_parent(parent, child, module):
    """The module becomes an attribute of its parent (case sys_modules.parent_replaced_binding);
    a parent that refuses it raises up to 3.8 and warns from 3.9 (case
    sys_modules.parent_rejects_binding)."""
    parent_module = sys.modules[parent]
    if not _profile.current.warn_when_parent_rejects_child:
        setattr(parent_module, child, module)
        return
    try:
        setattr(parent_module, child, module)
    except AttributeError:
        warnings.warn("Cannot set an attribute on {!r} for child module {!r}".format(parent, child), ImportWarning)


def fill_fromlist(module, fromlist, from_all=False):
    """Import the submodules the fromlist of a package names that are not attributes yet; '*'
    stands for __all__ (cases fromlist.star_*). A submodule that does not exist is passed over
    (cases fromlist.missing_name, fromlist.submodule_import_error_other,
    fromlist.submodule_mnfe_own_name)."""
    for item in fromlist:
        if not isinstance(item, str):
            where = module.__name__ + ".__all__" if from_all else "``from list''"
            raise TypeError("Item in {} must be str, not {}".format(where, type(item).__name__))
        elif item == "*":
            if not from_all and hasattr(module, "__all__"):
                fill_fromlist(module, module.__all__, from_all=True)
        elif not hasattr(module, item):
            submodule = "{}.{}".format(module.__name__, item)
            try:
                import_name(submodule)
            except ModuleNotFoundError as error:
                if error.name == submodule and sys.modules.get(submodule, _ABSENT) is not None:
                    continue
                raise
    return module
