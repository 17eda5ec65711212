"""IPython's deep reload binds the wrong module for a submodule that is not imported yet. A module
edited to say `import pkg.sub` and then deep-reloaded gets the top-level module `sub` as
`pkg.sub` (or ModuleNotFoundError: No module named 'sub' when there is none): deepreload's
import_submodule calls importlib.import_module(subname, parent), whose second argument names
the package for relative names only, so the absolute 'sub' is imported. importlib.reload of
the same module binds pkg/sub.py.

Exit 1 and "BUG ..." while the bug is there, 0 where fixed."""
import os
import sys
import tempfile

from IPython.lib.deepreload import reload as dreload

directory = tempfile.mkdtemp()
os.mkdir(os.path.join(directory, "pkg"))
for name, text in (("pkg/__init__.py", ""), ("pkg/sub.py", "where = 'pkg/sub.py'\n"),
                   ("sub.py", "where = 'sub.py (top level)'\n"), ("user.py", "x = 1\n")):
    with open(os.path.join(directory, name), "w") as handle:
        handle.write(text)
sys.path.insert(0, directory)

import user  # noqa: E402

with open(os.path.join(directory, "user.py"), "w") as handle:
    handle.write("import pkg.sub\nwhere = pkg.sub.where\n")
dreload(user)
where = sys.modules["user"].where
if where != "pkg/sub.py":
    print("BUG IPython deepreload: `import pkg.sub` in a reloaded module bound %s, not pkg/sub.py" % where)
    sys.exit(1)
print("fixed: pkg.sub is pkg/sub.py")
