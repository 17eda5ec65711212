"""wrapt 2.5.2: with a post-import hook registered for a module, importlib.find_loader(name, path)
ignores `path`: a path argument that is not iterable (5) returns wrapt's loader, where without the
hook find_loader raises TypeError ('int' object is not iterable). Python 3.8-3.11 (find_loader)."""
import importlib, os, sys, tempfile, warnings
import wrapt

warnings.simplefilter("ignore", DeprecationWarning)
root = tempfile.mkdtemp()
with open(os.path.join(root, "mod.py"), "w") as f:
    f.write("x = 1\n")
sys.path.insert(0, root)
if "--without-hook" not in sys.argv:
    wrapt.register_post_import_hook(lambda module: None, "mod")
try:
    loader = importlib.find_loader("mod", 5)
except TypeError as e:
    print("TypeError:", e)
else:
    print("BUG: returned", loader)
    sys.exit(1)
