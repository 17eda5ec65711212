"""pytest's assertion-rewriting import hook, set to rewrite every module (as it rewrites test
files and conftest.py), first on sys.meta_path as pytest puts it."""
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
