"""Import locks: while a module is being imported, other threads importing the same name wait
for it; the importing thread itself passes (a circular import sees the partial module).

Observed: catalogue cases circular.* (the importing thread re-enters) on CPython 3.8-3.13.
"""
import _thread

__all__ = ["NameLock", "finders_lock", "forget_locks"]

finders_lock = _thread.RLock()  # guards the table below, and finders' searches (one at a time)
_in_use = {}  # module name -> (its re-entrant lock, how many imports hold or wait for it)


class NameLock(object):
    """`with NameLock(name):` holds the lock of one module name; the table entry goes when the
    last import of that name lets go."""

    def __init__(self, name):
        self.name = name
        self.lock = None

    def __enter__(self):
        with finders_lock:
            lock, users = _in_use.get(self.name, (None, 0))
            if lock is None:
                lock = _thread.RLock()
            _in_use[self.name] = (lock, users + 1)
        lock.acquire()
        self.lock = lock

    def __exit__(self, *exc_info):
        self.lock.release()
        with finders_lock:
            lock, users = _in_use[self.name]
            if users == 1:
                del _in_use[self.name]
            else:
                _in_use[self.name] = (lock, users - 1)
        return False


def forget_locks():
    """Drop every lock (between cases: nothing is being imported then)."""
    _in_use.clear()
