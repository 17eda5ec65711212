"""Control target: re-exports the stdlib's five functions; must never diverge."""
from _stdlib_functions import *  # noqa: F401,F403
