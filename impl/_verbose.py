"""Verbose reports (`python -v`): what the import system says on sys.stderr as it works.

Stdlib only, Python 3.8 syntax. Observed (cases verbose.*, CPython 3.8-3.15): with
sys.flags.verbose set, each report is one line on sys.stderr, and a report that starts neither
with '#' nor with 'import ' is written after '# '. Which reports are made, and where, is said
where each is made.
"""
import sys

__all__ = ["report"]


def report(text):
    """Write `text` as a verbose report, if the interpreter runs with -v."""
    if not sys.flags.verbose:
        return
    if not text.startswith(("#", "import ")):
        text = "# " + text
    print(text, file=sys.stderr)
