"""The five functions in scope and their parameters, as the case format's steps name them.

Stdlib only, Python 3.8 syntax: the worker runs steps by this table, and the host's reports
(standalone scripts, titles) write calls by it.
"""
__all__ = ["CALLS", "FUNCTIONS"]

CALLS = {
    # op: (positional parameter, keyword parameters)
    "__import__": ("name", ("globals", "locals", "fromlist", "level")),
    "import_module": ("name", ("package",)),
    "find_loader": ("name", ("path",)),
    "invalidate_caches": (None, ()),
    "reload": ("module", ()),
}
FUNCTIONS = tuple(CALLS)
