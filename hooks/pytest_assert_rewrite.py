"""pytest's assertion-rewriting import hook, set to rewrite every module (as it rewrites test
files and conftest.py), first on sys.meta_path as pytest puts it.

Verdicts (CPython 3.13.0, whole catalogue, 2026-12-06, by class):
- bug (reports/hooks/pytest-loader-get-filename): its loader lacks get_filename() and the rest
  (machinery.loader_methods, loader_asked_without_name, file_loader_name_check); and
  reports/hooks/pytest-dot-name-valueerror;
- intended: see IGNORE; rewritten modules are cached under pytest's own tag and compiled from
  their source, so the standard caches are neither written nor used (bytecode.*: final.bytecode,
  executed), and its rewritten asserts run under -O (bytecode.optimized_caches); a rewritten
  module's helper names show in what threads see (threads.*: names);
- not its own in practice: this target makes every module a test file (fnpats "*.py"), so a file
  named like a builtin or frozen module, even the stdlib's own __hello__.py, is found by its
  finder, first on sys.meta_path, before the builtin and frozen importers
  (machinery.builtin_before_path_file, reload_builtin_beside_file, frozen_module, frozen_package,
  frozen_aliases, reload.builtin_module); pytest rewrites test files only."""
import sys

from _pytest.assertion.rewrite import AssertionRewritingHook
from _pytest.config import get_config

INSTALL = "before-setup"  # pytest installs it before it imports any test module
IGNORE = {
    "steps[*].result.__loader__": "pytest loads the modules it rewrites with its AssertionRewritingHook",
    "steps[*].result.__spec__.loader": "pytest loads the modules it rewrites with its AssertionRewritingHook",
    "steps[*].result.kind": "find_loader returns pytest's AssertionRewritingHook",
    "final.modules.*.attrs.@py_builtins": "a rewritten module gets the names its rewritten asserts use",
    "final.modules.*.attrs.@pytest_ar": "a rewritten module gets the names its rewritten asserts use",
    "steps[*].threads[*].names": "a rewritten module gets the names its rewritten asserts use",
}
_config = get_config()
_config.parse(["--capture=no", "-p", "no:cacheprovider"], addopts=False)  # no capture: it would take
# the worker's own stdin and stdout (the protocol's pipes)
_hook = AssertionRewritingHook(_config)
_hook.fnpats = ["*.py"]  # every module of the case, as if it were a test file
_hook._session_paths_checked = True  # no pytest session: nothing else to check


def install():
    sys.meta_path.insert(0, _hook)


def uninstall():
    sys.meta_path.remove(_hook)
