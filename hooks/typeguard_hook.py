"""typeguard's import hook: every module imported while it is installed is instrumented
(its source rewritten to check annotations at run time)."""
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
