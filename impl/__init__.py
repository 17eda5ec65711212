"""A clean-room reference implementation of importlib's five public functions.

`__import__`, `import_module`, `find_loader` (where the chosen CPython version has it),
`invalidate_caches` and `reload`, behaving like the CPython version chosen with
use_version() (default: the running interpreter's). Stdlib only, Python 3.8 syntax.
It is a conformance target (`--target impl`): install()/uninstall() run around each case.
"""
from . import _functions
from ._profile import profile_for

__all__ = ["__import__", "import_module", "invalidate_caches", "reload", "install", "uninstall",
           "use_version"]

__import__ = _functions.__import__
import_module = _functions.import_module
invalidate_caches = _functions.invalidate_caches
reload = _functions.reload


def use_version(version=None):
    """Behave like CPython `version` ("3.8" or (3, 8)); None: the running interpreter.
    find_loader exists here exactly when it exists in that version."""
    if isinstance(version, str):
        version = tuple(int(part) for part in version.split("."))
    profile = profile_for(version)
    _functions.use(profile)
    namespace = globals()
    if profile.has_find_loader:
        namespace["find_loader"] = _functions.find_loader
        if "find_loader" not in __all__:
            __all__.append("find_loader")
    else:
        namespace.pop("find_loader", None)
        if "find_loader" in __all__:
            __all__.remove("find_loader")
    return profile


def install():
    """Start a case from a clean slate: no module locks, reloads or cached directory finders
    of this implementation left over from an earlier case."""
    _functions.reset()


def uninstall():
    """Forget what the case left in this implementation's own caches."""
    _functions.reset()


use_version()
