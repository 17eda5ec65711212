"""Which module a call names: its arguments checked, a relative name made absolute, and the
package a relative `__import__` is relative to, taken from the caller's globals.
"""
import warnings

from . import _profile

__all__ = ["absolute_name", "check_arguments", "package_of_globals"]


def check_arguments(name, package, level):
    """The checks __import__ and import_module make before looking for anything (cases
    dunder_import.name.*, dunder_import.level.*, dunder_import.globals.*, import_module.error.*)."""
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


def absolute_name(name, package, level):
    """`name` relative to `package`, `level` dots up (seed import_module.3: import_module('..mod',
    'pkg.subpkg') imports pkg.mod); past the top-level package an error whose type the version
    decides (cases import_module.relative.beyond_top_level, dunder_import.level.beyond_top)."""
    parts = package.rsplit(".", level - 1)
    if len(parts) < level:
        raise _profile.current.beyond_top_level_error("attempted relative import beyond top-level package")
    return "{}.{}".format(parts[0], name) if name else parts[0]


def package_of_globals(globals):
    """The package a relative __import__ from a module with these globals is relative to:
    __package__, else __spec__.parent, else __name__ (without its last part unless the module
    has __path__), with a warning where they disagree or neither is set (cases
    dunder_import.globals.*). The warnings point at the caller of __import__ (stacklevel 3)."""
    package = globals.get("__package__")
    spec = globals.get("__spec__")
    if package is not None:
        if spec is not None and package != spec.parent:
            warnings.warn("__package__ != __spec__.parent ({!r} != {!r})".format(package, spec.parent),
                          _profile.current.package_spec_mismatch_category, stacklevel=3)
        return package
    elif spec is not None:
        return spec.parent
    warnings.warn("can't resolve package from __spec__ or __package__, "
                  "falling back on __name__ and __path__", ImportWarning, stacklevel=3)
    package = globals["__name__"]
    if "__path__" not in globals:
        package = package.rpartition(".")[0]
    return package
