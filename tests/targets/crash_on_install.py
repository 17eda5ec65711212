"""Broken target: the stdlib's functions, but install() aborts the process."""
import os

from _stdlib_functions import *  # noqa: F401,F403


def install():
    os.abort()
