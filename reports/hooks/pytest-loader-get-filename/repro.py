"""pytest 9.2.0: a module that pytest's assertion rewriting loaded has AssertionRewritingHook as its
__loader__, which has no get_filename() (nor get_source(), get_code()): a module asking its loader
about itself, as the stdlib's SourceFileLoader answers, gets AttributeError. Known upstream:
pytest-dev/pytest#2506 (open), #7804."""
import importlib, os, sys, tempfile
from _pytest.assertion.rewrite import AssertionRewritingHook
from _pytest.config import get_config

root = tempfile.mkdtemp()
with open(os.path.join(root, "probe.py"), "w") as f:
    f.write("filename = __loader__.get_filename(__name__)\n")
sys.path.insert(0, root)
if "--without-hook" not in sys.argv:
    config = get_config()
    config.parse(["--capture=no", "-p", "no:cacheprovider"], addopts=False)
    hook = AssertionRewritingHook(config)
    hook.fnpats = ["probe.py"]  # as if it were a test file
    hook._session_paths_checked = True
    sys.meta_path.insert(0, hook)
try:
    module = importlib.import_module("probe")
except AttributeError as e:
    print("BUG:", e)
    sys.exit(1)
print("get_filename:", module.filename)
