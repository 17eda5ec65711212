"""A library's wrapper, as users call it directly: its functions call importlib's at call time
(as IPython's deep reload calls importlib.reload). REPLACES_IMPORTLIB = False: the steps call these,
importlib keeps its own functions, so the wrapper reaches the stdlib and not itself."""
import importlib

REPLACES_IMPORTLIB = False


def import_module(name, package=None):
    return importlib.import_module(name, package)


def reload(module):
    return importlib.reload(module)
