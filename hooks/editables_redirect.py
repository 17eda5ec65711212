"""editables' RedirectingFinder, as an editable install uses it: each top-level module and
package of the case's first sys.path entry is mapped to where it lives, then the finder is
installed (appended to sys.meta_path)."""
import os
import sys

from editables.redirector import RedirectingFinder

INSTALL = "after-setup"  # the case's files exist: the project is "installed" from them
IGNORE = {
    "final.path_importer_cache.*": "the project's directory is not on sys.path (the finder stands for it), "
                                   "so no path entry finder is cached for it",
}


def install():
    root = sys.path[0]
    if not isinstance(root, str) or not os.path.isdir(root):
        return  # no project directory first on sys.path: nothing to install editably
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if name.endswith(".py") and name[:-3].isidentifier():
            RedirectingFinder.map_module(name[:-3], path)
        elif os.path.isfile(os.path.join(path, "__init__.py")) and name.isidentifier():
            RedirectingFinder.map_module(name, os.path.join(path, "__init__.py"))
    RedirectingFinder.install()
    sys.path.remove(root)  # an editable project is not on sys.path: the finder stands for it
    # (not mapped: namespace packages, which hatchling's editable installs put on sys.path by a
    # .pth file; their cases diverge for that reason, to be declared)
