"""Where the worker writes: its scratch directory, the runs' case directories in it, and the file
a run's process writes its lines to.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax. With `--scratch DIR` (as
the host starts it) everything lives in DIR, which the host owns: one directory per run, `output`
(the running process's lines, which the host reads when the worker dies, to tell how far the run
got) and `loading` (the target being loaded, while it is). Without it, under TMPDIR.
"""
import itertools
import os

from conformance._worker.tree import remove_tree

__all__ = ["Scratch"]

_REMOVE_EVERY = 16


class Scratch(object):
    """The worker's directory (`path`; `own`: given by the host, removed by finish())."""

    def __init__(self, directory=None):
        self.own = directory is not None
        self.path = os.path.realpath(directory if self.own else (
            os.environ.get("TMPDIR") or os.environ.get("TEMP") or os.environ.get("TMP")
            or ("/tmp" if os.path.isdir("/tmp") else os.getcwd())))
        self._numbers = itertools.count(1)
        self._finished = []  # case directories of finished runs, not yet removed
        self._output = None

    def new_case_dir(self):
        """A fresh directory for one run (named by hand, as tempfile would cost every fork the
        modules it imports; the host points the scratch directory at /dev/shm where it can)."""
        while True:
            number = next(self._numbers)
            name = "%d" % number if self.own else "conformance-%d-%d" % (os.getpid(), number)
            path = os.path.join(self.path, name)
            try:
                os.mkdir(path, 0o700)
                return path
            except FileExistsError:
                continue

    def finished(self, case_dirs):
        """These runs are over: their directories go, in batches. After a fork, every page the
        worker writes is copied once more, so removing sixteen trees at a time costs the copies
        of one."""
        self._finished.extend(case_dirs)
        if len(self._finished) >= _REMOVE_EVERY:
            self._remove_finished()

    def _remove_finished(self):
        while self._finished:
            try:
                remove_tree(self._finished.pop())
            except OSError:
                pass

    def output_path(self):
        """The `output` file a run in a process of its own writes to (None without a directory
        of the worker's own)."""
        return os.path.join(self.path, "output") if self.own else None

    def output_file(self):
        """The file forked runs write their lines to, emptied for the next one: `output`, else
        an anonymous file. A file rather than a pipe: the worker then sleeps until a run ends
        instead of waking for each line, and copies none of its pages while the child lives."""
        if self._output is None:
            if self.own:
                self._output = os.open(self.output_path(), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
            elif hasattr(os, "memfd_create"):
                self._output = os.memfd_create("conformance-output")
            else:
                path = os.path.join(self.path, "conformance-%d.out" % os.getpid())
                self._output = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
                os.remove(path)
        os.lseek(self._output, 0, os.SEEK_SET)
        os.ftruncate(self._output, 0)
        return self._output

    def loading(self, spec, load):
        """load(spec), with the spec in the `loading` file meanwhile: if loading kills the
        worker, the host can say so."""
        if not self.own:
            return load(spec)
        marker = os.path.join(self.path, "loading")
        with open(marker, "w") as handle:
            handle.write(spec)
        try:
            return load(spec)
        finally:
            os.remove(marker)

    def finish(self):
        """The worker's files go (its finished runs' directories, its own directory)."""
        self._remove_finished()
        if self.own:
            try:
                remove_tree(self.path)
            except OSError:
                pass
