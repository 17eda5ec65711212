"""The case's file tree on disk, with directory mtimes under the case's control.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax.
Every file and directory starts with the same fixed mtime; an edit either
keeps its directory's mtime (so a cached directory listing stays stale) or
moves it to a new, distinct value (so every finder sees the change).
"""
import os

from conformance._worker.contents import BASE_MTIME, file_bytes, with_cache_tag

__all__ = ["Tree", "remove_tree", "write_all"]


class Tree(object):
    """Writes files below one case directory and edits them deterministically.

    Writes are flushed before the mtime is set; no fsync is needed, as the
    case reads its files back on the same machine.
    """

    def __init__(self, root):
        self.root = root
        self._tick = 0

    def path(self, relative):
        full = os.path.normpath(os.path.join(self.root, with_cache_tag(relative)))
        if full != self.root and not full.startswith(self.root + os.sep):
            raise ValueError("path %r leaves the case directory" % relative)
        return full

    def materialise(self, files, dirs=(), read_only=()):
        """Write the set-up files and directories, all at the base mtime; `read_only` files then
        lose their write permissions (mode 0o444)."""
        made = {self.root}
        for relative in dirs:
            _make_dirs(self.path(relative), made)
        for relative, source in sorted(files.items()):
            full = self.path(relative)
            _make_dirs(os.path.dirname(full), made)
            _write_file(full, source)
            _settime(full, BASE_MTIME)
        for directory in made:  # last: creating entries moved their mtimes
            _settime(directory, BASE_MTIME)
        for relative in read_only:
            if relative in files:  # (a reduced case may have dropped the file)
                os.chmod(self.path(relative), 0o444)
                _settime(self.path(relative), BASE_MTIME)  # Emscripten's chmod (Pyodide) moves the mtime

    def write(self, relative, source, keep_mtime=False, keep_file_mtime=False):
        """Write a file; its mtime moves to a new value, or with keep_file_mtime stays what it
        was (an edit within the same second, which a timestamp .pyc cannot tell)."""
        full = self.path(relative)
        created = _missing_dirs(full)
        before = os.stat(full).st_mtime if keep_file_mtime and os.path.exists(full) else None
        with self._directory(full, keep_mtime, created):
            self._write(full, source)
            self._tick += 1
            _settime(full, BASE_MTIME + 10 * self._tick if before is None else before)

    def delete(self, relative, keep_mtime=False):
        full = self.path(relative)
        with self._directory(full, keep_mtime, []):
            if os.path.isdir(full):
                remove_tree(full)
            else:
                os.remove(full)

    def mkdir(self, relative, keep_mtime=False):
        full = self.path(relative)
        created = _missing_dirs(os.path.join(full, "x"))
        with self._directory(os.path.join(full, "x"), keep_mtime, created):
            os.makedirs(full, exist_ok=True)

    def _directory(self, full, keep_mtime, created):
        return _DirectoryTime(self, os.path.dirname(full), keep_mtime, created)

    @staticmethod
    def _write(full, source):
        os.makedirs(os.path.dirname(full), exist_ok=True)
        _write_file(full, source)


class _DirectoryTime(object):
    """Around an edit: restore the parent directory's mtime, or move it forward."""

    def __init__(self, tree, directory, keep, created):
        self.tree, self.directory, self.keep, self.created = tree, directory, keep, created

    def __enter__(self):
        existing = self.directory
        while not os.path.isdir(existing):
            existing = os.path.dirname(existing)
        self.watched = existing
        self.before = os.stat(existing).st_mtime

    def __exit__(self, *exc_info):
        if exc_info[0] is not None:
            return False
        self.tree._tick += 1
        for directory in self.created:
            _settime(directory, BASE_MTIME + 10 * self.tree._tick)
        if self.keep:
            _settime(self.watched, self.before)
        else:
            _settime(self.watched, BASE_MTIME + 10 * self.tree._tick)
        return False


def write_all(fd, data):
    """Write all of `data` to the file descriptor, however many os.write calls it takes."""
    while data:
        data = data[os.write(fd, data):]


def _write_file(full, source):
    """Write a file's source as UTF-8 (or compiled bytecode, or a zip archive) with plain os
    calls: no buffered file object to build."""
    data = file_bytes(source, full)
    fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)


def _make_dirs(directory, made):
    """Create directory and its parents not yet in `made` (which holds the root), top down."""
    missing = []
    while directory not in made and directory != os.path.dirname(directory):  # stop at "/" too
        missing.append(directory)
        directory = os.path.dirname(directory)
    for directory in reversed(missing):
        try:
            os.mkdir(directory)
        except FileExistsError:
            pass
        made.add(directory)


def _missing_dirs(full):
    missing, directory = [], os.path.dirname(full)
    while not os.path.isdir(directory):
        missing.append(directory)
        directory = os.path.dirname(directory)
    return missing


def remove_tree(top):
    """Delete a directory and everything below it (shutil would cost the worker's every fork
    the modules it imports)."""
    for directory, subdirs, names in os.walk(top, topdown=False):
        for name in names:
            os.remove(os.path.join(directory, name))
        for name in subdirs:
            path = os.path.join(directory, name)
            if os.path.islink(path):
                os.remove(path)
            else:
                os.rmdir(path)
    os.rmdir(top)


def _settime(path, when):
    os.utime(path, (when, when))
