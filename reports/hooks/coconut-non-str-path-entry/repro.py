"""coconut's auto-compilation finder fails every import when sys.path holds an entry that is not
a string. The import system skips such entries ("Entries in sys.path that are not strings or
bytes are ignored" is how importlib treats them: PathFinder passes over them); coconut's
meta-path finder joins each entry to a path and raises TypeError, so even a plain .py module
can no longer be imported.

Exit 1 and "BUG ..." while the bug is there, 0 where fixed."""
import os
import sys
import tempfile

import coconut.api

directory = tempfile.mkdtemp()
with open(os.path.join(directory, "plainmod.py"), "w") as handle:
    handle.write("x = 1\n")
sys.path[:0] = [object(), directory]  # an entry that is not a string, then the module's directory

coconut.api.auto_compilation(True)
try:
    import plainmod  # noqa: F401
except TypeError as error:
    print("BUG coconut auto_compilation: import of a plain module fails with a non-str sys.path entry: %s" % error)
    sys.exit(1)
print("fixed: plainmod imported (x = %d)" % plainmod.x)
