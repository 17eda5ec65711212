"""Files the tool writes: whole or not at all (a temporary file beside the target, flushed to
disk, then renamed over it), and a failure to write as one line naming the file."""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["WriteError", "write_directory", "write_text"]

_UMASK = os.umask(0)
os.umask(_UMASK)


class WriteError(Exception):
    """A file could not be written; the message is one line naming it. What was there before is
    left as it was."""


def write_text(path: str | Path, text: str, mode: int | None = None) -> None:
    """Write `text` (UTF-8) to `path`, its directory made: a reader sees the old file or the new
    one, never part of it; the file gets `mode`, else an existing file's permissions are kept."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix="." + path.name + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                os.fchmod(handle.fileno(), mode if mode is not None else _mode_of(path, 0o666 & ~_UMASK))
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


def _mode_of(path: Path, default: int) -> int:
    """The permissions of the file at `path` (kept when it is replaced), else `default`."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return default


def write_directory(path: str | Path, files: dict[str, str]) -> None:
    """Make `path` a directory holding exactly `files` (name -> UTF-8 text), whole or not at all:
    they are written in a temporary directory beside it, which is then renamed into its place (an
    older directory there is moved aside first, then removed). Two writers of one path at once
    leave one's files, never a mix."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix="." + path.name + ".", suffix=".tmp"))
    except OSError as error:
        raise WriteError("%s: cannot write: %s" % (path, error.strerror or error)) from None
    try:
        temporary.chmod(0o777 & ~_UMASK)
        for name, text in files.items():
            write_text(temporary / name, text)
        _swap_in(temporary, path)
    except OSError as error:
        raise WriteError("%s: cannot write: %s" % (path, error.strerror or error)) from None
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _swap_in(temporary: Path, path: Path) -> None:
    """Rename `temporary` to `path`, moving what is there aside (and then removing it)."""
    for _ in range(100):
        try:
            os.rename(temporary, path)
            return
        except OSError as error:
            if error.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR, errno.ENOTDIR):
                raise
        aside = tempfile.mkdtemp(dir=path.parent, prefix="." + path.name + ".", suffix=".old")
        try:
            os.rename(path, os.path.join(aside, "old"))
        except FileNotFoundError:
            pass  # another writer moved it aside already: try again
        finally:
            shutil.rmtree(aside, ignore_errors=True)
    raise OSError(errno.EBUSY, "other writers keep replacing it")
