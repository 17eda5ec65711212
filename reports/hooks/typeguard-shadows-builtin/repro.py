"""typeguard 4.6.1: with install_import_hook(None) (instrument every module), a file on sys.path
named like a builtin module (here _string.py) is imported in place of the builtin module:
typeguard's finder, first on sys.meta_path, asks the path finder before the builtin importer is
asked. Without the hook (and in the stdlib's order) the builtin module is imported."""
import importlib, os, sys, tempfile
import typeguard

root = tempfile.mkdtemp()
with open(os.path.join(root, "_string.py"), "w") as f:
    f.write("shadow = True\n")
sys.path.insert(0, root)
sys.modules.pop("_string", None)
typeguard.install_import_hook(None)
module = importlib.import_module("_string")
print(module)
if getattr(module, "shadow", False):
    print("BUG: the file %s was imported in place of the builtin module _string" % module.__file__)
    sys.exit(1)
print("the builtin module was imported")
