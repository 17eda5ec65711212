"""demandimport (Mercurial's lazy importer as a library): enable() replaces builtins.__import__
with one that defers an import statement's module until an attribute of it is first used.
It imports `imp`: CPython 3.11 and older (nox -s hooks skips it on 3.12+ as not applicable).

Verdicts (CPython 3.11.7, whole catalogue):
- bug: its existence check (imp.find_module) knows sys.path files only, so a module only a
  meta-path finder provides, or a namespace package, is refused with ImportError (and a missing
  module's error is ImportError, not ModuleNotFoundError): machinery.namespace_path_operations,
  fromlist.submodule_import_error_other, machinery.empty_meta_path (no "sys.meta_path is empty"
  warning); reports/hooks/demandimport-existence-check-sys-path-only;
- bug: that check leaves the module's source file open, once per delayed import
  (ResourceWarning); the worker records warnings with the "always" filter, so recording one
  imports inside the warnings module, which leaks another file, without end: the 19 cases that
  time out (circular.*, reload.*, sys_modules.*, threads.*...); reports/hooks/demandimport-leaks-open-file;
- intended: see IGNORE; it hands what it does not delay to the builtin __import__, whose
  differences from importlib.__import__ are the documented ones (the dunder_import.* messages;
  docs/findings.md, the C __import__), and its level -1 is Python 2's default, not an error
  (dunder_import.level.negative_with_package); a delayed `import pkg.sub.leaf` imports pkg only
  (dunder_import.import_statement), and so circular.runaway_self_removal ends in KeyError, not
  RecursionError: the body's own `import c.a.b` is delayed, so the body runs once, takes itself
  out of sys.modules and ends, and importlib then raises the KeyError it raises for any such body
  (sys_modules.deleted_during_exec; checked on 3.11.7 with the body printing each run).
On CPython 3.8.18 (nox -s hooks, 2026-12-06) four more cases time out (bytecode.pycache_prefix_*,
machinery.pycache_prefix, machinery.loader_asked_without_name: bodies that import os), not read
one by one; the two bugs' repros reproduce there."""
import demandimport

INSTALL = "before-setup"  # as an application enables it at start-up
IGNORE = {
    "steps[*].executed": "a deferred module's body runs when an attribute of it is first used, not at the import",
    "final.modules.*.attrs.*": "a deferred module no one used has not run its body: no attributes yet",
}


def install():
    demandimport.enable()


def uninstall():
    demandimport.disable()
