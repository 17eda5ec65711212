"""scikit-build-core's editable redirecting finder loads a namespace package (a project directory
without __init__.py) with a loader of its own that lacks is_package(), get_source() and
get_code(): `ns.__loader__.is_package("ns")` raises AttributeError. The import system's
namespace loader (importlib.machinery.NamespaceLoader) answers True, '' and a code object.

Exit 1 and "BUG ..." while the bug is there, 0 where fixed."""
import os
import sys
import tempfile

from scikit_build_core.resources._editable_redirect import install

project = tempfile.mkdtemp()
os.mkdir(os.path.join(project, "nspkg"))  # a namespace package: no __init__.py
with open(os.path.join(project, "nspkg", "mod.py"), "w") as handle:
    handle.write("x = 1\n")
install({"nspkg.mod": os.path.join(project, "nspkg", "mod.py")}, {}, {"nspkg": [os.path.join(project, "nspkg")]})
import nspkg  # noqa: E402

missing = [name for name in ("is_package", "get_source", "get_code") if not hasattr(nspkg.__loader__, name)]
if missing:
    print("BUG scikit-build-core: the namespace package's loader %s lacks %s"
          % (type(nspkg.__loader__).__name__, ", ".join(missing)))
    sys.exit(1)
print("fixed: is_package('nspkg') = %r" % nspkg.__loader__.is_package("nspkg"))
