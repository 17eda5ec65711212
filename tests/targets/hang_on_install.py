"""Broken target: the stdlib's functions, but install() never returns."""
from _stdlib_functions import *  # noqa: F401,F403


def install():
    while True:
        pass
