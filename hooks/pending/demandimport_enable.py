"""demandimport (Mercurial's lazy importer as a library): enable() replaces builtins.__import__
with one that defers an import statement's module until an attribute of it is first used."""
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
