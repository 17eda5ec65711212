"""The import system's verbose messages (`python -v`), for cases with `verbose`.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax.
With -v, importlib reports what it does on sys.stderr ("# code object from PATH", "import 'NAME'
# LOADER"). A worker started with -v (the host starts one for such cases) takes sys.stderr over
while a step runs and observes the lines written there; a worker without -v (a runtime that
cannot be started so) reports the case unsupported.
"""
import re
import sys

__all__ = ["Messages", "wanted"]

# "import 'NAME' # LOADER": the loader is the module's __loader__, observed there (where a hook's
# intended differences set it aside), so the report keeps the name alone
_LOADED = re.compile(r"^(import '[^']*') # .*$")


def wanted(case):
    """Whether the case asks for verbose messages and this interpreter makes them: True, False,
    or None where it asks and the interpreter was not started with -v (unsupported)."""
    if not case.get("verbose"):
        return False
    return True if getattr(sys.flags, "verbose", 0) else None


class Messages(object):
    """A stand-in for sys.stderr while one step runs (a context manager): what is written there,
    as lines, normalised by `observer` (paths, addresses), a module loaded by its name alone."""

    def __init__(self, observer):
        self.observer = observer
        self._parts = []
        self._saved = None

    def write(self, text):
        self._parts.append(str(text))
        return len(text)

    def flush(self):
        pass

    def __enter__(self):
        self._saved, sys.stderr = sys.stderr, self
        return self

    def __exit__(self, *exc_info):
        sys.stderr = self._saved
        return False

    def lines(self):
        """The lines written, each normalised."""
        text = "".join(self._parts)
        # "# destroy NAME": a module object freed (the module type's report), when the garbage
        # collector gets to it, not the import system's
        return [self._normalise(line) for line in text.splitlines()
                if line.strip() and not line.startswith("# destroy ")]

    def _normalise(self, line):
        return _LOADED.sub(r"\1", self.observer.text(line))
