"""coconut (a functional superset of Python): auto_compilation() adds a meta-path finder that
compiles .coco files found on the path when they are imported. A case has no .coco file, so
nothing should differ. (It does: reports/hooks/coconut-non-str-path-entry.)"""
import coconut.api

INSTALL = "before-setup"
IGNORE = {}


def install():
    coconut.api.auto_compilation(True)


def uninstall():
    coconut.api.auto_compilation(False)
