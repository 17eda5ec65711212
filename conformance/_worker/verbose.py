"""The import system's verbose messages (`python -v`), for cases with `verbose`.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax.
With -v, importlib reports what it does on sys.stderr ("# code object from PATH", "import 'NAME'
# LOADER"). A worker started with -v (the host starts one for such cases) takes sys.stderr over
while a step runs and observes the lines written there; a worker without -v (a runtime that
cannot be started so) reports the case unsupported.
"""
import re
import sys

from conformance._worker.observe import MACHINERY

__all__ = ["Messages", "wanted"]

# a loader in a message: `<M.X object at 0x?>` (after the observer's normalisation) or `<class 'M.X'>`
_LOADER = re.compile(r"<(?:class '(?:([\w.]+)\.)?(\w+)'|(?:([\w.]+)\.)?(\w+) object at 0x\?)>")


def wanted(case):
    """Whether the case asks for verbose messages and this interpreter makes them: True, False,
    or None where it asks and the interpreter was not started with -v (unsupported)."""
    if not case.get("verbose"):
        return False
    return True if getattr(sys.flags, "verbose", 0) else None


class Messages(object):
    """A stand-in for sys.stderr while one step runs (a context manager): what is written there,
    as lines, normalised by `observer` (paths, addresses; a class or object of the import
    machinery by its name alone, as the rest of the observation names them)."""

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
        return _LOADER.sub(_loader_text, self.observer.text(line))


def _loader_text(match):
    """`<class X>` or `<X object>`, X without a leading underscore where it is a class of the import
    machinery (as observe.class_name spells it: implementations spell those either way)."""
    is_class = match.group(2) is not None
    module, name = match.group(1, 2) if is_class else match.group(3, 4)
    if module and module.split(".")[0] in MACHINERY:
        name = name.lstrip("_")
    return "<class %s>" % name if is_class else "<%s object>" % name
