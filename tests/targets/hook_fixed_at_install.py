"""A hook target whose view of a project is fixed at install time: install() notes the top-level
modules and packages of the case's first sys.path entry, and its finder (just before the stdlib's
PathFinder) refuses any top-level module of that directory created later (a `write` step) with
ModuleNotFoundError, where the stdlib imports it. Out of contract for such a hook: cases whose
files change after install, which `feature:files-changed` declares intended
(hook_fixed_at_install_declared.py; tests/slow/test_features.py)."""
import importlib.machinery
import os
import sys

INSTALL = "after-setup"  # the case's files exist when the project is "installed"


class FixedViewFinder:
    """Refuses the top-level names that appeared in `root` after install; finds nothing itself."""

    def __init__(self):
        self.root, self.known = None, set()

    def find_spec(self, name, path=None, target=None):
        if self.root and path is None and "." not in name and name not in self.known and self._exists(name):
            raise ModuleNotFoundError("No module named %r" % name, name=name)
        return None

    def _exists(self, name):
        base = os.path.join(self.root, name)
        return os.path.exists(base + ".py") or os.path.isdir(base)

    def invalidate_caches(self):
        pass


_finder = FixedViewFinder()


def install():
    root = sys.path[0] if sys.path else None
    if not isinstance(root, str) or not os.path.isdir(root):
        return
    _finder.root = root
    _finder.known = {entry[:-3] if entry.endswith(".py") else entry for entry in os.listdir(root)}
    sys.meta_path.insert(sys.meta_path.index(importlib.machinery.PathFinder), _finder)


def uninstall():
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder.root, _finder.known = None, set()
