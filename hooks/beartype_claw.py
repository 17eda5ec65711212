"""beartype.claw: beartype_all() instruments every module imported after it (a path hook that
rewrites each module's source)."""
from beartype.claw import beartype_all

INSTALL = "before-setup"  # as a hook installed at start-up
IGNORE = {
    "steps[*].result.__loader__": "beartype.claw loads modules with its own BeartypeSourceFileLoader",
    "steps[*].result.__spec__.loader": "beartype.claw loads modules with its own BeartypeSourceFileLoader",
    "steps[*].result.kind": "find_loader returns beartype's loader",
    "final.path_importer_cache.*": "beartype.claw's path hook makes finders of its own class",
}


def install():
    beartype_all()  # there is no uninstall: each run is a process of its own
