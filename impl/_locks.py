"""Import locks: while a module is being imported, other threads importing the same name wait
for it; the importing thread itself passes (a circular import sees the partial module). Two
threads whose imports would wait on each other (a circular import split across threads) do not
wait forever: the one that would close the circle gets DeadlockError instead.

Observed: catalogue cases circular.* (the importing thread re-enters) on CPython 3.8-3.13;
threads.circular_deadlock_detected (the circle seen) on CPython 3.8-3.15.
"""
import _thread

__all__ = ["DeadlockError", "NameLock", "finders_lock", "forget_locks"]

finders_lock = _thread.RLock()  # guards the tables below, and finders' searches (one at a time)
_in_use = {}  # module name -> its _Entry, while an import holds or waits for it
_waiting = {}  # thread id -> the _Entry it waits for


class DeadlockError(RuntimeError):
    """An import that would wait for a module whose importing thread waits, through others, for
    this one (observed: its words in case threads.circular_deadlock_detected, CPython 3.8-3.14;
    an exception of the machinery's own is observed by its name only)."""


class _Entry(object):
    """One module name's lock: the thread that holds it (and how many times), and how many
    imports hold or wait for it."""

    def __init__(self):
        self.lock, self.owner, self.depth, self.users = _thread.allocate_lock(), None, 0, 0


def _closes_circle(entry, me):
    """Whether waiting for `entry` would wait, through the threads it waits on, for `me`."""
    seen = set()
    while entry is not None and entry.owner is not None and entry.owner not in seen:
        if entry.owner == me:
            return True
        seen.add(entry.owner)
        entry = _waiting.get(entry.owner)
    return False


class NameLock(object):
    """`with NameLock(name):` holds the lock of one module name (re-entrant for its thread); the
    table entry goes when the last import of that name lets go. Entering raises DeadlockError
    where waiting would close a circle of waiting threads."""

    def __init__(self, name):
        self.name = name
        self.entry = None

    def __enter__(self):
        me = _thread.get_ident()
        with finders_lock:
            entry = _in_use.get(self.name) or _Entry()
            if entry.owner not in (None, me) and _closes_circle(entry, me):
                raise DeadlockError("deadlock detected by _ModuleLock({!r}) at {}".format(self.name, id(entry)))
            entry.users += 1
            _in_use[self.name] = self.entry = entry
            if entry.owner == me:  # re-entered by the importing thread (a circular import)
                entry.depth += 1
                return self
            _waiting[me] = entry
        try:
            entry.lock.acquire()
        finally:
            with finders_lock:
                _waiting.pop(me, None)
        with finders_lock:
            entry.owner, entry.depth = me, 1
        return self

    def __exit__(self, *exc_info):
        entry = self.entry
        with finders_lock:
            entry.depth -= 1
            entry.users -= 1
            if not entry.depth:
                entry.owner = None
                entry.lock.release()
            if not entry.users:
                del _in_use[self.name]
        return False


def forget_locks():
    """Drop every lock (between cases: nothing is being imported then)."""
    _in_use.clear()
    _waiting.clear()
