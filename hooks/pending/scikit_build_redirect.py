"""scikit-build-core's editable install: its redirecting finder (what the generated
_<project>_editable.py installs) maps each top-level module and package of the project to its
file, and each package to its source directories; the project's directory then leaves sys.path.
The project is the case's first sys.path entry. No rebuild on import (rebuild=False)."""
import os
import sys

from scikit_build_core.resources._editable_redirect import install as _install

INSTALL = "after-setup"  # the case's files exist: the project is "installed" from them
IGNORE = {
    "final.path_importer_cache.*": "the project's directory is not on sys.path (the finder stands for it), "
                                   "so no path entry finder is cached for it",
}


def install():
    root = sys.path[0] if sys.path else None
    if not isinstance(root, str) or not os.path.isdir(root):
        return
    files, directories, packages, mappable = {}, {}, [], True
    for dirpath, dirnames, filenames in os.walk(root):
        relative = os.path.relpath(dirpath, root)
        parts = [] if relative == "." else relative.split(os.sep)
        if parts and not all(part.isidentifier() for part in parts):
            mappable = False
            continue
        if parts and "__init__.py" not in filenames:
            mappable = False  # a namespace package: left to the path, as a build backend does
        if parts:
            packages.append(".".join(parts))
            directories[".".join(parts)] = [dirpath]
        for name in filenames:
            if name.endswith(".py") and name[:-3].isidentifier():
                module = ".".join(parts + ([] if name == "__init__.py" else [name[:-3]]))
                if module:
                    files[module] = os.path.join(dirpath, name)
            elif name.endswith(".py"):
                mappable = False
    _install(files, {}, directories, packages)
    if mappable:
        sys.path.remove(root)  # an editable project is not on sys.path: the finder stands for it


def uninstall():
    sys.meta_path[:] = [finder for finder in sys.meta_path
                        if type(finder).__name__ != "ScikitBuildRedirectingFinder"]
