"""Control target: the stdlib's functions, with an install() that takes 20 ms, so that a
catalogue run lasts long enough for a test to kill a worker in the middle of it."""
import time

from _stdlib_functions import *  # noqa: F401,F403


def install():
    time.sleep(0.02)
