"""jaxtyping's import hook caches uninstrumented bytecode under its own tag. While it executes an
instrumented module it replaces importlib's cache_from_source for the whole process, so a module
that module imports (one not named to the hook) is compiled plainly and cached under the
instrumented tag. A later run that names that module too loads the plain bytecode from there:
its functions are silently not type-checked. (Any thread's import meanwhile is affected too.)

Exit 1 and "BUG ..." while the bug is there, 0 where fixed."""
import os
import subprocess
import sys
import tempfile
import textwrap

import jaxtyping, typeguard  # noqa: E401, F401  (what the runs below need)

directory = tempfile.mkdtemp()
os.mkdir(os.path.join(directory, "app"))
with open(os.path.join(directory, "app", "__init__.py"), "w") as handle:
    handle.write("import helper\n")
with open(os.path.join(directory, "helper.py"), "w") as handle:
    handle.write("def ident(x: int) -> int:\n    return x\n")
run = textwrap.dedent("""
    import sys
    from jaxtyping import install_import_hook
    install_import_hook(sys.argv[1].split(","), "typeguard.typechecked")
    import app, helper
    try:
        helper.ident("not an int")
    except Exception:
        print("checked")
    else:
        print("unchecked")
""")
env = dict(os.environ, PYTHONPATH=directory)
env.pop("PYTHONDONTWRITEBYTECODE", None)  # the bug lives in the bytecode cache
runs = [subprocess.run([sys.executable, "-c", run, names], env=env, capture_output=True, text=True)
        for names in ("app", "app,helper")]
if any(done.stdout.strip() not in ("checked", "unchecked") for done in runs):
    sys.exit("a run failed, so nothing is shown:\n" + "".join(done.stderr for done in runs))
runs = [done.stdout.strip() for done in runs]
if runs[1] != "checked":
    print("BUG jaxtyping import hook: helper, named to the hook, is %s after a run that named only app" % runs[1])
    sys.exit(1)
print("fixed: helper is type-checked")
