"""jaxtyping's import hook: install_import_hook(names, typechecker) instruments the modules of the
named packages as they are imported (each function and dataclass gets a runtime type checker,
here typeguard's). The names are the case's top-level modules and packages (its first sys.path
entry), as a test suite names its own package."""
import os
import sys

import jaxtyping

INSTALL = "after-setup"  # the case's files exist: their names are what is instrumented
IGNORE = {
    "steps[*].result.__loader__": "jaxtyping loads the named modules with its own loader",
    "steps[*].result.__spec__.loader": "jaxtyping loads the named modules with its own loader",
    "steps[*].result.kind": "find_loader returns jaxtyping's loader",
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
