"""scientific-python's lazy_loader: load(name) returns the module in sys.modules, or else a module
whose body runs when an attribute of it is first used (importlib.util.LazyLoader); a missing
module raises at once with error_on_import=True. It stands for import_module() here (absolute
names: it takes no package); the other four functions are the stdlib's. Users call it directly:
importlib keeps its own functions (REPLACES_IMPORTLIB = False).

Verdicts (CPython 3.11-3.13, whole catalogue):
- bug, known in another form (scientific-python/lazy-loader#55, closed): load("pkg.mod") never
  binds the submodule to its package (the invariant submodule-bound, in every case importing a
  submodule; reports/hooks/lazy-loader-submodule-unbound);
- bug: with error_on_import=True a missing module's ModuleNotFoundError has no name
  (import_module.error.missing and others: steps[].exception.name;
  reports/hooks/lazy-loader-error-without-name);
- intended, the laziness itself: see IGNORE; a module's failure to load (bad or truncated
  bytecode, a failing body, a module replacing itself in sys.modules) shows at its first
  attribute access, not at load(), so those steps return where import_module raises, and the
  module stays in sys.modules (outcome, modules.added, final.order); what a body would do
  (invalidate caches, import others) has not happened yet (invalidate_caches.from_body...);
- the stdlib's own rules, not lazy_loader's: a loader without exec_module() cannot be made lazy
  (importlib.util.LazyLoader raises TypeError, as documented: the legacy.* cases), and a name
  under a module that is not a package fails in importlib.util.find_spec, worded as it words it
  (import_module.error.not_a_package).
The machinery.*, namespace.* and sys_modules.* cases, first looked at by sample, were read one
by one on 3.11.7 (2026-12-06): each falls in these classes (the submodule not bound, also why a
parent refusing the binding gives no warning; the error without a name, also for a None entry in
sys.modules; a module not yet run; find_spec's words for a parent that is None, not a module or
without __path__; LazyLoader's TypeError for a spec without a loader). On 3.13, reload.no_spec
too: a module not yet run whose __spec__ a step set to None fails to load inside LazyLoader
when reload() reads its attributes (TypeError "reload() argument must be a module"). bytecode.checked_hash_stale:
a stale cache is not rewritten for a module not yet run.
Fuzz findings (nox -s hooks, 3.11-3.13), by class: the ones above, and one minor, not reported:
load("") raises ModuleNotFoundError where import_module("") raises ValueError (Empty module name)."""
import importlib

import lazy_loader

REPLACES_IMPORTLIB = False
IGNORE = {
    "steps[*].executed": "a lazily loaded module's body runs at its first attribute access, not when imported",
    "final.modules.*.attrs.*": "a lazily loaded module that no one used has not run its body: no attributes yet",
    "steps[*].result.repr": "the module returned is a lazy module, not yet run",
}


def import_module(name, package=None):
    if package is not None or name.startswith("."):
        return importlib.import_module(name, package)  # relative names: not lazy_loader's (it takes none)
    return lazy_loader.load(name, error_on_import=True, suppress_warning=True)
