"""A hook target with one cause of divergence, reachable through many calls, exception types and
modules: its finder (just before the stdlib's PathFinder, as a hook with a table of names it
stands for sits) refuses every module whose last name is `b` (`b`, `a.b`, `p.q.b`) with
ModuleNotFoundError, where the stdlib imports it. Everything else is the stdlib's. A campaign
over it must report one finding, whatever calls and exceptions show the refusal
(tests/slow/test_fuzz.py)."""
import importlib.machinery
import sys

INSTALL = "before-setup"


class RefusingFinder:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[-1] == "b" and all(name.split(".")) and importlib.machinery.PathFinder.find_spec(name, path) is not None:
            raise ModuleNotFoundError("No module named %r" % name, name=name)
        return None

    def invalidate_caches(self):
        pass


_finder = RefusingFinder()


def install():
    sys.meta_path.insert(sys.meta_path.index(importlib.machinery.PathFinder), _finder)


def uninstall():
    sys.meta_path.remove(_finder)
