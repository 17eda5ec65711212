"""wrapt's post-import hooks: a hook registered for each module name the fuzzer generates, which
puts wrapt's finder first on sys.meta_path until the module is imported, then marks it."""
import wrapt

INSTALL = "before-setup"  # as a hook registered at start-up
NAMES = ["a", "b", "c", "p", "q", "pkg", "mod", "m"]
IGNORE = {
    "final.modules.*.attrs.post_imported": "the hook marks each module it sees (the point of a post-import hook)",
    "steps[*].result.kind": "find_loader returns wrapt's loader, which runs the hooks after the real loader",
}


def _mark(module):
    module.post_imported = True


def install():
    for name in NAMES:
        wrapt.register_post_import_hook(_mark, name)
