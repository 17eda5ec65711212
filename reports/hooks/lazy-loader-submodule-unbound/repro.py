"""lazy_loader.load("pkg.mod") puts the lazy module in sys.modules but never binds it as the
attribute `mod` of the package, not even once the module has run. Any later `import pkg.mod`
(the name is in sys.modules, so nothing is imported) then leaves `pkg.mod` an AttributeError.
importlib.import_module("pkg.mod") binds it, as loading a submodule by any mechanism does (the
language reference, "Submodules").

Exit 1 and "BUG ..." while the bug is there, 0 where fixed."""
import os
import sys
import tempfile

import lazy_loader

directory = tempfile.mkdtemp()
os.mkdir(os.path.join(directory, "pkg"))
with open(os.path.join(directory, "pkg", "__init__.py"), "w") as handle:
    handle.write("")
with open(os.path.join(directory, "pkg", "mod.py"), "w") as handle:
    handle.write("x = 1\n")
sys.path.insert(0, directory)

mod = lazy_loader.load("pkg.mod", suppress_warning=True)
assert mod.x == 1  # the module has run
import pkg.mod  # noqa: E402

try:
    pkg.mod
except AttributeError as error:
    print("BUG lazy_loader.load: pkg.mod is not bound to its package: %s" % error)
    sys.exit(1)
print("fixed: pkg.mod is bound")
