"""jaxtyping's import hook: install_import_hook(names, typechecker) instruments the modules of the
named packages as they are imported (each function and dataclass gets a runtime type checker,
here typeguard's). The names are the case's top-level modules and packages (its first sys.path
entry), as a test suite names its own package.

Verdicts (CPython 3.11-3.13, whole catalogue):
- bug, known (patrick-kidger/jaxtyping#329): while it runs an instrumented module it patches
  importlib's cache_from_source for the whole process, so the modules imported meanwhile (by that
  body or by another thread) are cached under its tag, plain (reports/hooks/jaxtyping-pyc-cache-
  poisoned; import_module.parent_imports_child, threads.submodule_while_parent_runs,
  threads.circular_deadlock_detected: __cached__ under its tag);
- intended: see IGNORE; an instrumented module is compiled from its source, a cache under the
  standard tag (or a sourceless one) is never used (bytecode.timestamp_cache_used,
  checked_hash_fresh, unchecked_hash_stale, cache_without_code, optimized_caches,
  cache_code_filename); the case's own
  meta-path finders are not asked for the named modules (find_loader.meta_path_raises,
  invalidate_caches.raising_finder, raising_finder_runtime, serving_finder_wins,
  machinery.spec_from_loader.get_filename) and a named module shadows a builtin one of the same
  name (machinery.builtin_before_path_file, reload_builtin_beside_file): the path finder is asked
  first, by design.
Fuzz findings (nox -s hooks, 3.11-3.13), by class: the ones above, and one minor, not reported:
find_loader(1) (a name that is not a string) raises AttributeError from its finder, where the
stdlib raises TypeError (as typeguard's and coconut's finders do)."""
import os
import sys

import jaxtyping

INSTALL = "after-setup"  # the case's files exist: their names are what is instrumented
IGNORE = {
    "steps[*].result.__loader__": "jaxtyping loads the named modules with its own loader",
    "steps[*].result.__spec__.loader": "jaxtyping loads the named modules with its own loader",
    "steps[*].result.kind": "find_loader returns jaxtyping's loader",
    "final.modules.*.attrs.jaxtyping": "instrumenting a module adds `import jaxtyping` to its source",
    "steps[*].threads[*].names": "instrumenting a module adds `import jaxtyping` to its source",
    "final.bytecode": "jaxtyping caches instrumented bytecode under its own optimization tag",
    "steps[*].warnings": "the type checker (typeguard) warns of functions it cannot instrument",
    "steps[*].finder_calls": "its finder, first on sys.meta_path, looks the named modules up with the path "
                             "finder itself: meta-path finders set up before the hook are not asked for them",
}
_hooks = []


def install():
    root = sys.path[0] if sys.path else None
    if not isinstance(root, str) or not os.path.isdir(root):
        return
    names = sorted({name[:-3] if name.endswith(".py") else name for name in os.listdir(root)
                    if (name.endswith(".py") and name[:-3].isidentifier()) or name.isidentifier()})
    if names:
        _hooks.append(jaxtyping.install_import_hook(names, "typeguard.typechecked"))


def uninstall():
    while _hooks:
        _hooks.pop().uninstall()
