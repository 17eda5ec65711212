"""pytest 9.2.0: with the assertion-rewriting hook on sys.meta_path, __import__(".") raises
ValueError ("PurePosixPath('.') has an empty name") from the hook's find_spec, where the stdlib
raises ModuleNotFoundError: code that catches ImportError for a name it was given (a plugin
loader, say) crashes under pytest instead."""
import sys

from _pytest.assertion.rewrite import AssertionRewritingHook
from _pytest.config import get_config

config = get_config()
config.parse(["-p", "no:cacheprovider"], addopts=False)
sys.meta_path.insert(0, AssertionRewritingHook(config))
try:
    __import__(".")
except ImportError as error:
    print("%s: %s" % (type(error).__name__, error))
except Exception as error:
    print("BUG: %s: %s" % (type(error).__name__, error))
    sys.exit(1)
