"""What the editable-install targets share: the project is the case's first sys.path entry, and
while a finder stands for it, it is not on sys.path. (Not a target: nox -s hooks skips `_` files.)"""
import os
import sys

NOT_ON_PATH = ("the project's directory is not on sys.path (the finder stands for it), "
               "so no path entry finder is cached for it")


def project_entry():
    """The case's first sys.path entry when it is a directory (the project), else None."""
    entry = sys.path[0] if sys.path else None
    return entry if isinstance(entry, str) and os.path.isdir(entry) else None
