"""wrapt's post-import hooks: a hook registered for each module name the fuzzer generates, which
puts wrapt's finder first on sys.meta_path until the module is imported, then marks it.

Verdicts (CPython 3.11.7, whole catalogue, re-read 2026-12-06; 3.12.1 and 3.13.0 show a subset):
- bug (reports/hooks/wrapt-repeats-lookup): its finder looks each hooked name up again, so the
  finders ahead of it are asked twice (bytecode.pycache_prefix_relative_paths,
  invalidate_caches.find_spec_calls, invalidate_caches.from_body,
  legacy.meta_path_find_module_misses: finder_calls), and find_loader ignores its path (3.8-3.11:
  find_loader.explicit_path, find_loader.path_not_iterable);
- minor, not reported: a module loaded by a legacy loader (load_module only, a protocol CPython
  3.12 no longer falls back to) gets wrapt's chained loader as __spec__.loader and the legacy
  loader as __loader__ (legacy.path_entry_find_loader, legacy.path_entry_find_module: the
  invariant spec-loader);
- intended: see IGNORE (the mark the hook sets is seen by threads as by the final state)."""
import wrapt

INSTALL = "before-setup"  # as a hook registered at start-up
NAMES = ["a", "b", "c", "p", "q", "pkg", "mod", "m"]
IGNORE = {
    "final.modules.*.attrs.post_imported": "the hook marks each module it sees (the point of a post-import hook)",
    "steps[*].result.kind": "find_loader returns wrapt's loader, which runs the hooks after the real loader",
    "steps[*].threads[*].names": "the hook marks each module it sees: threads see the mark among its names",
}


def _mark(module):
    module.post_imported = True


def install():
    for name in NAMES:
        wrapt.register_post_import_hook(_mark, name)
