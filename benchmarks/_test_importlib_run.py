"""Runs inside the interpreter under test (stdlib only, Python 3.8 syntax), under coverage.py:
CPython's own test_importlib, without its threaded tests (they hang when traced), recording
which code of importlib's source runs with one of the five functions on the stack.

usage: python -m coverage run ... _test_importlib_run.py OUT.json
OUT.json: {"reached": [[file, first line of the code object], ...], "tests": N, "failures": N}
"""
import json
import os
import sys
import unittest

import importlib

LIBRARY = os.path.dirname(importlib.__file__)
FILES = {os.path.join(LIBRARY, name): name for name in ("__init__.py", "_bootstrap.py", "_bootstrap_external.py")}
# the five functions' code: the package's four, and _bootstrap's __import__ (the source copy's)
FIVE = {("__init__.py", name) for name in ("import_module", "find_loader", "invalidate_caches", "reload")}
FIVE.add(("_bootstrap.py", "__import__"))
reached = set()
_seen = set()


def _profile(frame, event, arg):
    if event != "call":
        return
    code = frame.f_code
    file = FILES.get(code.co_filename)
    if file is None or code in _seen:
        return
    caller = frame
    while caller is not None:
        if (FILES.get(caller.f_code.co_filename), caller.f_code.co_name) in FIVE:
            _seen.add(code)
            reached.add((file, code.co_firstlineno))
            return
        caller = caller.f_back


def _without_threads(suite):
    kept = unittest.TestSuite()
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            kept.addTest(_without_threads(test))
        elif "test_threaded_import" not in test.id():
            kept.addTest(test)
    return kept


def main(out):
    suite = _without_threads(unittest.defaultTestLoader.loadTestsFromName("test.test_importlib"))
    sys.setprofile(_profile)
    try:
        with open(os.devnull, "w") as null:
            result = unittest.TextTestRunner(stream=null, verbosity=0).run(suite)
    finally:
        sys.setprofile(None)
    with open(out, "w") as handle:
        json.dump({"reached": sorted(reached), "tests": result.testsRun,
                   "failures": len(result.failures) + len(result.errors)}, handle)


if __name__ == "__main__":
    main(sys.argv[1])
