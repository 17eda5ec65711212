"""wrapt 2.5.2: once a post-import hook is registered for `pkg`, a meta-path finder that stands
before wrapt's ImportHookFinder is asked for `pkg` twice per import (wrapt's finder looks the name
up again through the whole sys.meta_path); without the hook it is asked once. A finder with side
effects (logging, counting, caching, network) does its work twice."""
import importlib, os, sys, tempfile
import wrapt

calls = []


class Recording:
    def find_spec(self, name, path=None, target=None):
        calls.append(name)
        return None


root = tempfile.mkdtemp()
os.makedirs(os.path.join(root, "pkg"))
open(os.path.join(root, "pkg", "__init__.py"), "w").close()
sys.path.insert(0, root)
if "--without-hook" not in sys.argv:
    wrapt.register_post_import_hook(lambda module: None, "pkg")
sys.meta_path.insert(0, Recording())  # installed after the hook: first on sys.meta_path
importlib.import_module("pkg")
print("find_spec calls:", calls)
if calls != ["pkg"]:
    print("BUG: asked %d times" % len(calls))
    sys.exit(1)
