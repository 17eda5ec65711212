"""hy (a Lisp that compiles to Python): importing it makes .hy files importable beside .py ones
(it adds its suffix to the source loader's and patches how source becomes code). A case has no
.hy file, so nothing should differ."""
import hy  # noqa: F401

IGNORE = {}


def install():
    pass
