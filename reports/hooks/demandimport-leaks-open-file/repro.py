"""demandimport (enable()) leaves a file open for every import it delays: its existence check,
imp.find_module(name), opens the module's source file and returns it, and the file is never
closed (ResourceWarning: unclosed file). Where ResourceWarnings are always shown or recorded
(`-W always`, warnings.simplefilter("always")), showing one imports inside the warnings module,
which demandimport delays, which leaks another file: the import never ends (infinite recursion).
An import without demandimport closes what it opens. (demandimport imports `imp`: Python <= 3.11.)

Exit 1 and "BUG ..." while the bug is there, 0 where fixed."""
import os
import sys
import tempfile
import warnings

directory = tempfile.mkdtemp()
with open(os.path.join(directory, "helper.py"), "w") as handle:
    handle.write("x = 1\n")
with open(os.path.join(directory, "user.py"), "w") as handle:
    handle.write("import helper\n")  # a module-level import: demandimport delays it
sys.path.insert(0, directory)
try:
    import demandimport
except ImportError as error:
    print("demandimport cannot be imported here: %s" % error)
    sys.exit(77)  # not applicable (nox -s hooks)
demandimport.enable()
warnings.simplefilter("error", ResourceWarning)  # an unclosed file raises where it is collected,
unclosed = []  # and, raised in a finaliser, reaches the unraisable hook
sys.unraisablehook = lambda report: unclosed.append(str(report.exc_value))
import user  # noqa: E402,F401
if unclosed:
    print("BUG demandimport: a delayed import leaves its source file open: %s" % unclosed[0])
    sys.exit(1)
print("fixed: no file left open")
