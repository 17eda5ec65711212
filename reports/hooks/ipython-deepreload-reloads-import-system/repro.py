"""IPython's deep reload reloads the import system itself. A module whose body says `import
importlib` (and calls importlib.reload, as code that reloads its helpers does) cannot be
deep-reloaded: deepreload reloads importlib and then _frozen_importlib (its exclusions are the
builtin modules, sys, os.path, builtins, __main__, numpy; the import system's frozen modules are
not among them), whose re-run fails with AttributeError and leaves the import system half reset.
importlib.reload of the same module reloads that module only.

Exit 1 and "BUG ..." while the bug is there, 0 where fixed."""
import os
import sys
import tempfile

from IPython.lib.deepreload import reload as dreload

directory = tempfile.mkdtemp()
with open(os.path.join(directory, "helper.py"), "w") as handle:
    handle.write("x = 1\n")
with open(os.path.join(directory, "user.py"), "w") as handle:
    handle.write("import importlib, helper\nimportlib.reload(helper)\n")
sys.path.insert(0, directory)

import user  # noqa: E402

try:
    dreload(user)
except Exception as error:  # noqa: BLE001 - whatever the half-reset import system raises
    print("BUG IPython deepreload: reloading a module that imports importlib fails: %s: %s"
          % (type(error).__name__, error))
    sys.exit(1)
print("fixed: user deep-reloaded")
