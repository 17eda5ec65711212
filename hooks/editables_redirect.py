"""editables' RedirectingFinder, as an editable install uses it: each top-level module and
regular package of the case's first sys.path entry is mapped to where it lives, then the finder
is installed (appended to sys.meta_path) and the directory leaves sys.path. A directory holding
what a mapping cannot stand for (a namespace package, a file whose name is not an identifier)
stays on sys.path, as a build backend then adds it to the path (editables' add_to_path).

Verdicts: the bugs of reports/hooks/editables-*, and IGNORE; on CPython 3.8.18 (nox -s hooks,
2026-12-06) also machinery.relative_path_entry: the target maps
the case's relative sys.path entry as it is, so __file__ is relative where the 3.8 path finder
gives an absolute one (an installer records absolute paths: the target's doing, not editables')."""
import os
import sys

from editables.redirector import RedirectingFinder

from _editable_project import NOT_ON_PATH, project_entry

INSTALL = "after-setup"  # the case's files exist: the project is "installed" from them
IGNORE = {
    "final.path_importer_cache.*": NOT_ON_PATH,
}


def install():
    root = project_entry()
    if root is None:
        return  # no project directory first on sys.path: nothing to install editably
    mappable = True
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if name.endswith(".py") and name[:-3].isidentifier():
            RedirectingFinder.map_module(name[:-3], path)
        elif os.path.isfile(os.path.join(path, "__init__.py")) and name.isidentifier():
            RedirectingFinder.map_module(name, os.path.join(path, "__init__.py"))
        elif os.path.isdir(path) or name.endswith(".py"):
            mappable = False
    RedirectingFinder.install()
    if mappable:
        sys.path.remove(root)  # an editable project is not on sys.path: the finder stands for it
