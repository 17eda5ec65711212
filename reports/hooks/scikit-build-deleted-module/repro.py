"""scikit-build-core's editable redirecting finder (what a project's generated
_<project>_editable.py installs) returns a spec for a mapped module whose file was deleted, and
importing (or reloading) it raises FileNotFoundError. The import system raises
ModuleNotFoundError, which `except ImportError` (optional-dependency checks) catches.

Exit 1 and "BUG ..." while the bug is there, 0 where fixed."""
import os
import sys
import tempfile

from scikit_build_core.resources._editable_redirect import install

project = tempfile.mkdtemp()
source = os.path.join(project, "gone.py")
with open(source, "w") as handle:
    handle.write("x = 1\n")
install({"gone": source}, {})  # the project's one module, mapped as an editable install maps it
os.remove(source)  # the developer deletes it from the project
try:
    import gone  # noqa: F401
except ImportError:
    print("fixed: ImportError")
except OSError as error:
    print("BUG scikit-build-core redirecting finder: a deleted module raises %s: %s" % (type(error).__name__, error))
    sys.exit(1)
