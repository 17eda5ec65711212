"""Broken target: the stdlib's functions, but install() kills the worker (the run's parent)
with SIGKILL, in every case: the pool must stop with one error naming this target."""
import os
import signal

from _stdlib_functions import *  # noqa: F401,F403


def install():
    os.kill(os.getppid(), signal.SIGKILL)
