"""typeguard's import hook: every module imported while it is installed is instrumented
(its source rewritten to check annotations at run time).

Verdicts (CPython 3.13.0, whole catalogue, 2026-12-06, by class):
- bug (reports/hooks/typeguard-shadows-builtin): a file named like a builtin or frozen module is
  imported instead of it (machinery.builtin_before_path_file, reload_builtin_beside_file,
  frozen_module, frozen_package, frozen_aliases, reload.builtin_module);
- intended: see IGNORE; instrumented modules are cached under typeguard's own tag and compiled
  from their source, so the standard caches are neither written nor used (bytecode.*)."""
import typeguard

INSTALL = "before-setup"  # as a hook installed at start-up (conftest, sitecustomize)
IGNORE = {
    "steps[*].result.__loader__": "typeguard loads modules with its own TypeguardLoader",
    "steps[*].result.__spec__.loader": "typeguard loads modules with its own TypeguardLoader",
    "steps[*].result.kind": "find_loader returns typeguard's TypeguardLoader",
    "steps[*].result.__cached__": "typeguard caches instrumented bytecode under its own optimization tag",
    "steps[*].result.__spec__.cached": "typeguard caches instrumented bytecode under its own optimization tag",
}
_manager = []


def install():
    _manager.append(typeguard.install_import_hook(None))


def uninstall():
    _manager.pop().uninstall()
