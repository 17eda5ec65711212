"""editables 0.6: after the mapped file of a module is deleted, importing it raises
FileNotFoundError from the redirecting finder's loader, where a missing module raises
ModuleNotFoundError (ImportError) with the stdlib path finder."""
import os, sys, tempfile, importlib
from editables.redirector import RedirectingFinder

root = tempfile.mkdtemp()
path = os.path.join(root, "gone.py")
with open(path, "w") as f:
    f.write("x = 1\n")
RedirectingFinder.map_module("gone", path)
RedirectingFinder.install()
os.remove(path)
try:
    importlib.import_module("gone")
except ModuleNotFoundError as e:
    print("ModuleNotFoundError:", e)
except Exception as e:
    print("BUG:", type(e).__name__, e)
    sys.exit(1)
