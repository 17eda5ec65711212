"""scientific-python's lazy_loader: load(name) returns the module in sys.modules, or else a module
whose body runs when an attribute of it is first used (importlib.util.LazyLoader); a missing
module raises at once with error_on_import=True. It stands for import_module() here (absolute
names: it takes no package); the other four functions are the stdlib's."""
import builtins
import importlib

import lazy_loader

IGNORE = {
    "steps[*].executed": "a lazily loaded module's body runs at its first attribute access, not when imported",
    "final.modules.*.attrs.*": "a lazily loaded module that no one used has not run its body: no attributes yet",
}
__import__ = builtins.__import__
invalidate_caches = importlib.invalidate_caches
reload = importlib.reload
find_loader = getattr(importlib, "find_loader", None)


def import_module(name, package=None):
    if package is not None or name.startswith("."):
        return importlib.import_module(name, package)  # relative names: not lazy_loader's (it takes none)
    return lazy_loader.load(name, error_on_import=True, suppress_warning=True)
