"""A hook target that breaks a promise of the import system and hides it from the comparison:
its finder (before the stdlib's PathFinder) wraps each loader it finds in __spec__.loader only,
putting the real loader back on __loader__, and it declares `steps[*].result.__spec__.loader`
an intended difference (the IGNORE example docs/targets.md once gave). No field it leaves
compared differs from the stdlib; the invariant `spec-loader` (module.__spec__.loader is
module.__loader__) must still be reported, by name, in check and fuzz (tests/slow/test_invariants.py)."""
import importlib.machinery
import sys

INSTALL = "before-setup"
IGNORE = {
    "steps[*].result.__spec__.loader": "the hook wraps the loader in the spec",
    "steps[*].result.kind": "find_loader returns the hook's loader",
}


class WrappingLoader:
    def __init__(self, wrapped):
        self.wrapped = wrapped

    def create_module(self, spec):
        return self.wrapped.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = self.wrapped  # the real loader on __loader__; the spec keeps the wrapper
        self.wrapped.exec_module(module)

    def __getattr__(self, name):
        return getattr(self.wrapped, name)


class WrappingFinder:
    def find_spec(self, name, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and hasattr(spec.loader, "exec_module") and spec.origin not in (None, "namespace"):
            spec.loader = WrappingLoader(spec.loader)
        return spec

    def invalidate_caches(self):
        pass


_finder = WrappingFinder()


def install():
    sys.meta_path.insert(sys.meta_path.index(importlib.machinery.PathFinder), _finder)


def uninstall():
    sys.meta_path.remove(_finder)
