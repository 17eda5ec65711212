"""IPython's deep reload: IPython.lib.deepreload.reload() reloads a module and, recursively, every
module it imports (IPython's `dreload`); it stands for reload() here, the other four functions
are the stdlib's. Users call it directly, and it calls importlib.reload itself: importlib keeps
its own functions (REPLACES_IMPORTLIB = False).

Verdicts (CPython 3.11-3.13, whole catalogue):
- bug: a submodule not imported yet binds the top-level module of its last name
  (reports/hooks/ipython-deepreload-wrong-submodule; reload.edited_body_imports_new_submodule);
- bug, known (ipython/ipython#14570): a body that imports importlib makes deep reload reload the
  import system itself (reports/hooks/ipython-deepreload-reloads-import-system;
  reload.reentrant, reload.from_body_import_statement; on 3.13 also
  legacy.reload_through_load_module: the warnings module the import system imports to warn of a
  legacy loader is deep-reloaded, with what it imports, and the warning is lost);
- minor, not reported: it looks the module up by __name__, not by its spec's name
  (reload.renamed: ImportError where reload() reloads);
- intended: see IGNORE, and a failed deep reload puts the old module back in sys.modules
  (machinery.reload_finder_removes_module: deepreload's own rule, so that a reload that fails
  does not lose the module; not declared, as a pattern for it would hide any lost module)."""
from IPython.lib.deepreload import reload as _deep_reload

REPLACES_IMPORTLIB = False
IGNORE = {
    "steps[*].exception.message": "deep reload raises its own TypeError (not a module) and ImportError "
                                  "(not in sys.modules), worded as Python 2's knee.py worded them",
    "steps[*].exception.chain": "its own errors are raised directly, not while handling the stdlib's internal ones",
    "steps[*].exception.name": "its own ImportError (not in sys.modules) is raised without name=",
}


def reload(module):
    return _deep_reload(module)
