"""Control target: the stdlib's functions, with an install() that sleeps half a second, so that
a test can kill a run while it is surely in the middle (in that sleep)."""
import time

from _stdlib_functions import *  # noqa: F401,F403


def install():
    time.sleep(0.5)
