"""wrapt 2.5.2: for a module with a post-import hook registered, wrapt's finder (first on
sys.meta_path) answers by looking the name up again with importlib.util.find_spec(name): a
second search through the whole of sys.meta_path, without the `path` it was given, and through
find_spec's sys.modules shortcut. Three consequences, each checked below against what the same
calls do without the hook:
1. a finder that stands before wrapt's is asked twice per import (once without the hook);
2. importlib.find_loader(name, 5) returns a loader: `path` is ignored (without the hook,
   TypeError: 'int' object is not iterable); Python 3.8-3.11, which have find_loader;
3. a module body that puts a spec-less module in its own place in sys.modules and reloads it
   gets ValueError ("three.__spec__ is None") from find_spec (without the hook, the module is
   found again and the reload runs it)."""
import importlib, os, sys, tempfile, warnings
import wrapt

warnings.simplefilter("ignore", DeprecationWarning)
WITH_HOOK = "--without-hook" not in sys.argv
root = tempfile.mkdtemp()
sys.path.insert(0, root)
bugs = []


def write(name, text):
    with open(os.path.join(root, name), "w") as handle:
        handle.write(text)


def hook(name):
    if WITH_HOOK:
        wrapt.register_post_import_hook(lambda module: None, name)


class Recording:
    def __init__(self):
        self.calls = []

    def find_spec(self, name, path=None, target=None):
        self.calls.append(name)
        return None


# 1. a finder ahead of wrapt's is asked twice
write("one.py", "x = 1\n")
hook("one")
recording = Recording()
sys.meta_path.insert(0, recording)  # installed after the hook: first on sys.meta_path
importlib.import_module("one")
sys.meta_path.remove(recording)
print("1. find_spec calls for 'one':", recording.calls)
if recording.calls != ["one"]:
    bugs.append("1: a finder ahead of wrapt's was asked %d times" % len(recording.calls))

# 2. find_loader ignores path
if hasattr(importlib, "find_loader"):
    write("two.py", "x = 1\n")
    hook("two")
    try:
        loader = importlib.find_loader("two", 5)
        print("2. find_loader('two', 5) returned", loader)
        bugs.append("2: find_loader('two', 5) returned a loader")
    except TypeError as error:
        print("2. find_loader('two', 5) raised TypeError:", error)
else:
    print("2. (no importlib.find_loader on this version)")

# 3. reload of a module that replaced itself with a spec-less module
write("three.py", "import importlib, sys, types\n"
                  "if not hasattr(sys, 'reloading_three'):\n"
                  "    sys.reloading_three = True\n"
                  "    sys.modules[__name__] = types.ModuleType(__name__)\n"
                  "    importlib.reload(sys.modules[__name__])\n")
hook("three")
try:
    importlib.import_module("three")
    print("3. the body's reload found the module again")
except ValueError as error:
    print("3. reload raised ValueError:", error)
    bugs.append("3: reload raised ValueError: %s" % error)

for bug in bugs:
    print("BUG", bug)
sys.exit(1 if bugs else 0)
