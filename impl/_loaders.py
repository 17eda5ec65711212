"""The loaders this implementation's finders give: source files, sourceless bytecode files, and
namespace packages (which have nothing to execute).

Stdlib only, Python 3.8 syntax; none of importlib's machinery is called.
"""
import importlib.machinery
import os
import sys

from ._bytecode import BadBytecode, cache_path, code_from_cache, code_from_sourceless, write_cache
from ._verbose import report

__all__ = ["NamespaceLoader", "SourceFileLoader", "SourcelessFileLoader"]


class SourceFileLoader(object):
    """Loads a module from a .py file: compile the source, execute it in the module's namespace."""

    def __init__(self, fullname, path):
        self.name = fullname
        self.path = path

    def _refuse_other_name(self, name):
        # Observed (CPython's file loaders): a loader serves only the name it was made for.
        if name is None:
            return self.name
        if name != self.name:
            raise ImportError("loader for %s cannot handle %s" % (self.name, name), name=name)
        return name

    def create_module(self, spec):
        return None  # default module creation

    def exec_module(self, module):
        exec(self.get_code(module.__name__), module.__dict__)

    def get_filename(self, name=None):
        self._refuse_other_name(name)
        return self.path

    def get_data(self, path):
        with open(path, "rb") as handle:
            return handle.read()

    def get_source(self, name=None):
        return self.get_data(self.get_filename(name)).decode("utf-8")

    def get_code(self, name=None):
        """The module's code: from its bytecode cache when that is usable (impl/_bytecode.py),
        else compiled from the source, and then cached unless sys.dont_write_bytecode."""
        path = self.get_filename(name)
        cache = cache_path(path)
        source = []  # read once, when needed

        def read_source():
            if not source:
                source.append(self.get_data(path))
            return source[0]

        flags = 0
        stat = None
        if cache is not None:
            try:
                stat = os.stat(path)
                return code_from_cache(name or self.name, cache, path, stat, read_source)
            except OSError:
                stat = None
            except BadBytecode as bad:
                flags = bad.flags
        code = compile(read_source(), path, "exec", dont_inherit=True)
        report("code object from %s" % path)  # observed with -v (case verbose.bytecode): the path as it is
        if cache is not None and stat is not None and not sys.dont_write_bytecode:
            write_cache(cache, code, stat, read_source(), flags)
        return code

    def is_package(self, name=None):
        return os.path.basename(self.get_filename(name)).rpartition(".")[0] == "__init__"


class SourcelessFileLoader(SourceFileLoader):
    """Loads a module from a .pyc file with no source beside it (case bytecode.sourceless)."""

    def get_code(self, name=None):
        path = self.get_filename(name)
        return code_from_sourceless(name or self.name, path, self.get_data(path))

    def get_source(self, name=None):
        return None


# A module's repr is the interpreter's (its module type's), not the import functions': on 3.12
# and later it names a namespace package's portions only when the loader is an instance of its
# own namespace loader class (observed: namespace.* cases' "repr", 3.12-3.13), so there the
# loader below is one, for its type only. Before, it is a plain object.
_REPR_BASE = getattr(importlib.machinery, "NamespaceLoader", object) if sys.version_info >= (3, 12) else object


class NamespaceLoader(_REPR_BASE):
    """The loader of a namespace package: nothing to execute. Made when the module is created
    (the spec a finder returns has no loader: find_loader says "namespace packages do not have
    loaders", case find_loader.namespace_package)."""

    def __init__(self, path):
        self._path = path  # the name the interpreter's repr reads on 3.12+

    @staticmethod
    def module_repr(module):
        """The repr 3.8 and 3.9 ask a module's loader for first: "<module 'ns' (namespace)>"
        (observed: namespace.* cases' "repr"); 3.10 and later ask the spec first."""
        return "<module %r (namespace)>" % (module.__name__,)

    def is_package(self, fullname):
        return True

    def get_source(self, fullname):
        return ""

    def get_code(self, fullname):
        return compile("", "<string>", "exec", dont_inherit=True)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        pass
