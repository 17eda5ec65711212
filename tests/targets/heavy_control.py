"""Control target that imports many stdlib modules first: observations must not depend on what
the worker happened to import before the case."""
import ast  # noqa: F401
import collections.abc  # noqa: F401
import email.message  # noqa: F401
import fractions  # noqa: F401
import json  # noqa: F401
import typing  # noqa: F401
import zipfile  # noqa: F401

from _stdlib_functions import *  # noqa: F401,F403
