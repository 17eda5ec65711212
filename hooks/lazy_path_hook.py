"""Hook target: every source module of the case is loaded lazily, through a path hook whose
FileFinder uses importlib.util.LazyLoader (a module body runs on its first attribute access).
Installed before the case's set-up, so that the case's sys.path entries get its finders."""
import importlib.machinery
import importlib.util
import sys

INSTALL = "before-setup"
IGNORE = {  # what LazyLoader is for: a module's body runs at its first attribute access
    "steps[*].executed": "a lazily loaded module's body runs at its first attribute access, not when imported",
    "final.modules.*.attrs.*": "a lazily loaded module that no one used has not run its body: no attributes yet",
    "steps[*].result.kind": "find_loader returns the LazyLoader",
}
_LAZY = importlib.util.LazyLoader.factory(importlib.machinery.SourceFileLoader)
_HOOK = importlib.machinery.FileFinder.path_hook((_LAZY, importlib.machinery.SOURCE_SUFFIXES))


def install():
    sys.path_hooks.insert(0, _HOOK)


def uninstall():
    sys.path_hooks.remove(_HOOK)
