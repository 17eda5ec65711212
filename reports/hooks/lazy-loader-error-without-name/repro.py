"""lazy_loader.load(name, error_on_import=True) for a module that does not exist raises
ModuleNotFoundError without its `name` attribute (None), where importlib.import_module sets it to
the missing name; code that reports a missing optional dependency by `error.name` gets None.

Exit 1 and "BUG ..." while the bug is there, 0 where fixed."""
import sys

import lazy_loader

try:
    lazy_loader.load("no_such_module_here", error_on_import=True)
except ModuleNotFoundError as error:
    if error.name != "no_such_module_here":
        print("BUG lazy_loader.load: ModuleNotFoundError.name is %r, not 'no_such_module_here'" % (error.name,))
        sys.exit(1)
    print("fixed: ModuleNotFoundError.name is set")
