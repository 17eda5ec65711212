"""demandimport (enable()) refuses a module that only a sys.meta_path finder provides. For an
absolute `import name` it checks first that the module exists with imp.find_module(name), which
searches sys.path only, so a module served by a meta-path finder (an editable install's finder,
a zip or database importer) raises ImportError at the import statement. Without demandimport
the import system asks sys.meta_path and imports it. (demandimport imports `imp`: Python <= 3.11.)

Exit 1 and "BUG ..." while the bug is there, 0 where fixed."""
import importlib.abc
import importlib.util
import sys


class Serving(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the module `served`, on no sys.path entry, as an editable install's finder does."""

    def find_spec(self, name, path=None, target=None):
        return importlib.util.spec_from_loader(name, self) if name == "served" else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.x = 1


sys.meta_path.append(Serving())
try:
    import demandimport  # noqa: E402
except ImportError as error:  # it imports `imp`: Python <= 3.11
    print("demandimport cannot be imported here: %s" % error)
    sys.exit(77)  # not applicable (nox -s hooks)

demandimport.enable()
try:
    import served  # a module-level import statement: demandimport delays it (or refuses it)
    print("fixed: served imported (x = %d)" % served.x)
except ImportError as error:
    print("BUG demandimport: a module a meta-path finder provides cannot be imported: %s" % error)
    sys.exit(1)
