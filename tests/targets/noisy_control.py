"""Control target that prints while loading and around each case: output must not corrupt the protocol."""
import importlib

print("noise at import")

import_module = importlib.import_module
reload = importlib.reload


def install():
    print("installing")


def uninstall():
    print("uninstalling")
