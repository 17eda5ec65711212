"""demandimport (enable()) refuses modules the import system finds but sys.path files do not: a
module only a sys.meta_path finder provides (an editable install's finder, a zip or database
importer) and a namespace package (a directory without __init__.py). For a module-level
absolute `import name` it first checks that the module exists with imp.find_module(name),
which searches sys.path for files and package directories only, and raises ImportError.
Without demandimport both imports succeed. (demandimport imports `imp`: Python <= 3.11.)

Exit 1 and "BUG ..." while the bug is there, 0 where fixed."""
import importlib.abc
import importlib.util
import os
import sys
import tempfile


class Serving(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the module `served`, on no sys.path entry, as an editable install's finder does."""

    def find_spec(self, name, path=None, target=None):
        return importlib.util.spec_from_loader(name, self) if name == "served" else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.x = 1


directory = tempfile.mkdtemp()
os.mkdir(os.path.join(directory, "nspkg"))  # a namespace package: no __init__.py
sys.path.insert(0, directory)
sys.meta_path.append(Serving())
try:
    import demandimport
except ImportError as error:
    print("demandimport cannot be imported here: %s" % error)
    sys.exit(77)  # not applicable (nox -s hooks)
demandimport.enable()
refused = []
try:
    import served  # module-level import statements: demandimport delays them (or refuses them)
except ImportError as error:
    refused.append("served (a meta-path finder's): %s" % error)
try:
    import nspkg  # noqa: F401
except ImportError as error:
    refused.append("nspkg (a namespace package): %s" % error)
if refused:
    print("BUG demandimport refuses modules the import system finds: " + "; ".join(refused))
    sys.exit(1)
print("fixed: both imported")
