"""editables 0.6: a module installed editably is masked by a module of the same name in ANY
sys.path directory, even one that comes after the directory the project would be installed in:
the redirecting finder is appended to sys.meta_path, so it is asked only after the path finder
has searched all of sys.path. With the project's directory on sys.path (as a regular install
puts it, in site-packages), the stdlib imports the project's module, the first on sys.path."""
import importlib, os, sys, tempfile
from editables.redirector import RedirectingFinder

project, later = tempfile.mkdtemp(), tempfile.mkdtemp()
for directory, where in ((project, "project"), (later, "later")):
    with open(os.path.join(directory, "mod.py"), "w") as f:
        f.write("where = %r\n" % where)
RedirectingFinder.map_module("mod", os.path.join(project, "mod.py"))
RedirectingFinder.install()
sys.path.append(later)  # a directory after site-packages (a .pth entry, PYTHONPATH set late, ...)
module = importlib.import_module("mod")
print("imported", module.where, "from", module.__file__)
if module.where != "project":
    print("BUG: the editable project's mod is masked by a later sys.path entry")
    sys.exit(1)
