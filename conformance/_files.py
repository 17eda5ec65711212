"""Files the tool writes: whole or not at all (a temporary file beside the target, flushed to
disk, then renamed over it), and a failure to write as one line naming the file."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["WriteError", "write_text"]

_UMASK = os.umask(0)
os.umask(_UMASK)


class WriteError(Exception):
    """A file could not be written; the message is one line naming it. What was there before is
    left as it was."""


def write_text(path: str | Path, text: str) -> None:
    """Write `text` (UTF-8) to `path`, its directory made: a reader sees the old file or the new
    one, never part of it."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix="." + path.name + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                os.fchmod(handle.fileno(), 0o666 & ~_UMASK)
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
    except OSError as error:
        raise WriteError("%s: cannot write: %s" % (path, error.strerror or error)) from None
