"""beartype.claw: beartype_all() instruments every module imported after it (a path hook that
rewrites each module's source)."""
import importlib
import os
import shutil
import sys
import tempfile

from beartype.claw import beartype_all

INSTALL = "before-setup"  # as a hook installed at start-up
IGNORE = {
    "steps[*].result.__loader__": "beartype.claw loads modules with its own BeartypeSourceFileLoader",
    "steps[*].result.__spec__.loader": "beartype.claw loads modules with its own BeartypeSourceFileLoader",
    "steps[*].result.kind": "find_loader returns beartype's loader",
    "final.path_importer_cache.*": "beartype.claw's path hook makes finders of its own class",
    "final.bytecode": "beartype.claw caches instrumented bytecode under its own optimization tag",
}
# Not declarable by a field path, and intended: an instrumented module is compiled from its source,
# so a cache under the standard tag (or one without code) is never used (bytecode.timestamp_cache_used,
# checked_hash_fresh, unchecked_hash_stale, cache_without_code, cache_code_filename); its finder's legacy shims name its
# own loader class (machinery.path_entry_finder_legacy_shims, 3.8-3.11).


def install():
    beartype_all()  # there is no uninstall: each run is a process of its own
    _warm_up()


def _warm_up():
    """beartype imports parts of itself when it instruments its first module: done here, with a
    throwaway module, so that the case's own finders see only the case's imports."""
    directory = tempfile.mkdtemp()
    with open(os.path.join(directory, "_beartype_warm_up.py"), "w") as handle:
        handle.write("import sys\n\ndef f(x: int) -> int:\n    return x\n\nvalue = f(1)\n")
    sys.path.insert(0, directory)
    try:
        importlib.import_module("_beartype_warm_up")
    finally:
        sys.path.remove(directory)
        sys.path_importer_cache.pop(directory, None)
        sys.modules.pop("_beartype_warm_up", None)
        shutil.rmtree(directory)
