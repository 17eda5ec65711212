"""Hook target: every source and sourceless module of the case is loaded lazily, through a path
hook whose FileFinder wraps the default loaders in importlib.util.LazyLoader (a module body runs
on its first attribute access). Installed before the case's set-up, so that the case's sys.path
entries get its finders.

Verdicts (CPython 3.11.7, whole catalogue, 2026-12-06: 80 divergent cases, each read by its
fields and description): all are the laziness itself, none a bug of the five functions'
promises as LazyLoader keeps them:
- a body not yet run has done nothing yet: the modules it imports are absent (circular.*,
  fromlist.statement_*, dunder_import.import_statement, threads.*), the finders it installs or
  the sys.meta_path it empties are not there (machinery.create_module_missing,
  machinery.empty_meta_path, machinery.finder_puts_module_with_spec), nor the
  sys.pycache_prefix it sets or the invalidate_caches() it calls (bytecode.pycache_prefix_*,
  machinery.pycache_prefix, invalidate_caches.from_body), and no bytecode is written for a module
  no one used (final.bytecode in bytecode.*);
- a failing module fails at its first use, not at the import, and stays in sys.modules
  (import_module.error.*, sys_modules.failing_*, bytecode.sourceless_bad_*, circular.failing_in_cycle);
- reload() of a module not yet used first runs it as it is now: a file deleted or replaced meanwhile
  fails there (reload.file_deleted, reload.module_became_package), and a module whose __spec__ or
  __name__ a step changed fails inside LazyLoader's own code (reload.spec_name_differs: TypeError;
  reload.replaces_entry: "substituted in sys.modules during a lazy load"; reload.renamed,
  find_loader.spec_none_loader_set, machinery.reload_into_loaderless);
- its finder's legacy shims return the LazyLoader (machinery.path_entry_finder_legacy_shims)."""
import importlib.machinery
import importlib.util
import sys

INSTALL = "before-setup"
IGNORE = {  # what LazyLoader is for: a module's body runs at its first attribute access
    "steps[*].executed": "a lazily loaded module's body runs at its first attribute access, not when imported",
    "final.modules.*.attrs.*": "a lazily loaded module that no one used has not run its body: no attributes yet",
    "steps[*].result.kind": "find_loader returns the LazyLoader",
    "steps[*].result.repr": "the module returned is a lazy module, not yet run",
}
_machinery, _lazy = importlib.machinery, importlib.util.LazyLoader.factory
_HOOK = _machinery.FileFinder.path_hook(  # the default FileFinder's loaders, in its order
    (_machinery.ExtensionFileLoader, _machinery.EXTENSION_SUFFIXES),  # not made lazy
    (_lazy(_machinery.SourceFileLoader), _machinery.SOURCE_SUFFIXES),
    (_lazy(_machinery.SourcelessFileLoader), _machinery.BYTECODE_SUFFIXES))


def install():
    sys.path_hooks.insert(0, _HOOK)


def uninstall():
    sys.path_hooks.remove(_HOOK)
