"""scikit-build-core's editable install: its redirecting finder (what the generated
_<project>_editable.py installs) maps each top-level module and package of the project to its
file, and each package to its source directories; the project's directory then leaves sys.path.
The project is the case's first sys.path entry. No rebuild on import (rebuild=False).

Verdicts (CPython 3.11.7, whole catalogue; repros on 3.11-3.13):
- bug: a mapped module whose file was deleted raises FileNotFoundError, not ModuleNotFoundError
  (reload.file_deleted, invalidate_caches.deleted_module_kept_mtime,
  machinery.deleted_root_directory; reports/hooks/scikit-build-deleted-module);
- bug: a namespace package's loader lacks is_package(), get_source(), get_code()
  (machinery.namespace_path_operations; reports/hooks/scikit-build-namespace-loader-methods);
- intended: see IGNORE; the mapping is made at install, so modules created later are not found
  (import_module.created_after_start, invalidate_caches.created_*, namespace_new_portion,
  not_needed_when_directory_changes, namespace.dynamic_path, reload.module_became_package); its
  finder is first on sys.meta_path, so the case's own finders are not asked for the project's
  names and a project module named like a builtin one wins (find_loader.meta_path_raises,
  invalidate_caches.*finder*, machinery.builtin_before_path_file...); a namespace package's path
  is the list of the project's directories, not a recomputed path, and its module has no
  __file__ (namespace.*, fromlist.namespace_package, reload.namespace_package), and
  namespace.regular_in_later_root_wins / module_in_later_root: the project's own portion is all
  it maps;
- not its own: bytecode.sourceless_package, bytecode.pycache_prefix_relative_paths (the target's
  mapping leaves directories holding bytecode only to the path).
Fuzz findings (nox -s hooks, 3.11-3.13), by class: the ones above, and minor, not reported:
find_loader (3.8-3.11) of a dotted name without a path finds the project's submodule, and of a
project namespace package returns its namespace loader, where the stdlib returns None and raises
ImportError (namespace packages do not have loaders); a name with a leading dot at level 0
(`__import__(".c")`), which the stdlib's FileFinder looks up by its last part, is not a project
name (ModuleNotFoundError where the stdlib's import of c.py then fails with ValueError)."""
import os
import sys

from scikit_build_core.resources._editable_redirect import install as _install

from _editable_project import NOT_ON_PATH, project_entry

INSTALL = "after-setup"  # the case's files exist: the project is "installed" from them
IGNORE = {
    "steps[*].result.__loader__": "the redirecting finder wraps each loader (_ScikitBuildLoaderWrapper)",
    "steps[*].result.kind": "find_loader returns its loader wrapper",
    "steps[*].result.__spec__.loader": "the redirecting finder wraps each loader (_ScikitBuildLoaderWrapper)",
    "steps[*].threads[*].result.__loader__": "the redirecting finder wraps each loader",
    "steps[*].threads[*].result.__spec__.loader": "the redirecting finder wraps each loader",
    "final.path_importer_cache.*": NOT_ON_PATH,
}


def install():
    entry = project_entry()
    if entry is None:
        return
    root = os.path.normpath(os.path.abspath(entry))  # a build backend records absolute, normal paths
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
            elif name.endswith((".py", ".pyc")):
                mappable = False  # not a module name, or bytecode without source: left to the path
    _install(files, {}, directories, packages)
    if mappable:
        sys.path.remove(entry)  # an editable project is not on sys.path: the finder stands for it


def uninstall():
    sys.meta_path[:] = [finder for finder in sys.meta_path
                        if type(finder).__name__ != "ScikitBuildRedirectingFinder"]
