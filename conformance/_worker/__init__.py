"""The inside of the conformance suite: what runs in the interpreter under test.

Stdlib only, valid Python 3.8 syntax; never imports the host side of the package.
"""
