"""Broken target: the stdlib's functions, but importing a module named q stops the worker
(SIGSTOP to the run's parent), which then never answers: the host must kill and replace it."""
import os
import signal

from _stdlib_functions import *  # noqa: F401,F403
from _stdlib_functions import stdlib


def import_module(name, package=None):
    if isinstance(name, str) and "q" in name.split("."):
        os.kill(os.getppid(), signal.SIGSTOP)
    return stdlib["import_module"](name, package)
