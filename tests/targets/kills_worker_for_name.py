"""Broken target: the stdlib's functions, but importing a module named q (or anything below
it) kills the worker (the run's parent) with SIGKILL: those runs are crashes, the rest pass."""
import os
import signal

from _stdlib_functions import *  # noqa: F401,F403
from _stdlib_functions import stdlib


def _deadly(name):
    return isinstance(name, str) and "q" in name.split(".")


def __import__(name, globals=None, locals=None, fromlist=(), level=0):
    if _deadly(name):
        os.kill(os.getppid(), signal.SIGKILL)
    return stdlib["__import__"](name, globals, locals, fromlist, level)


def import_module(name, package=None):
    if _deadly(name):
        os.kill(os.getppid(), signal.SIGKILL)
    return stdlib["import_module"](name, package)
