"""Control hook target: install() puts a meta-path finder just before the stdlib's PathFinder
(as a hook installed at start-up: INSTALL = "before-setup", so the case's own finders come
first) that defers to PathFinder and wraps the loader it finds in a loader of its own, as
instrumenting hooks do. The five functions are the stdlib's (a hook target defines none)."""
import importlib.machinery
import sys

INSTALL = "before-setup"


class HookLoader:
    """Delegates to the loader found; only its class name differs."""

    def __init__(self, wrapped):
        self.wrapped = wrapped

    def create_module(self, spec):
        return self.wrapped.create_module(spec)

    def exec_module(self, module):
        self.wrapped.exec_module(module)

    def __getattr__(self, name):
        return getattr(self.wrapped, name)


class DeferringFinder:
    def find_spec(self, name, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = HookLoader(spec.loader)
        return spec

    def invalidate_caches(self):
        pass


_finder = DeferringFinder()


def install():
    sys.meta_path.insert(sys.meta_path.index(importlib.machinery.PathFinder), _finder)


def uninstall():
    sys.meta_path.remove(_finder)


IGNORE = {
    "steps[*].result.__loader__": "the hook wraps every loader it finds in its own HookLoader",
    "steps[*].result.__spec__.loader": "the hook wraps every loader it finds in its own HookLoader",
    "steps[*].result.kind": "find_loader returns the hook's HookLoader",
}
