"""Calls made at once from several threads (a case's `threads` step): the import system promises
that a module being imported by one thread is not executed again by another, which waits for it
and then gets the whole module (module locks).

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax. A module body calls
`__pause__()` (a builtin while the case runs) to let the next thread start while it is inside;
outside a `threads` step it does nothing.
"""
import sys
import threading
import time
import types

__all__ = ["PAUSE_SECONDS", "Threads", "available"]

PAUSE_SECONDS = 0.3  # the longest a pausing body waits for the thread it started (a case fits a 1 s timeout)


_available = []


def available():
    """Whether this interpreter can start a thread (Pyodide, say, cannot): asked once."""
    if not _available:
        try:
            thread = threading.Thread(target=lambda: None)
            thread.start()
            thread.join()
        except RuntimeError:
            _available.append(False)
        else:
            _available.append(True)
    return _available[0]


class _Outcome(object):
    """What one thread's call did: `returned` and its `result`, or `raised` and its `exception`;
    `names`: a module result's own names (not dunder) when the call returned, None otherwise."""

    def __init__(self):
        self.outcome, self.result, self.exception, self.names = "unfinished", None, None, None


class Threads(object):
    """Runs calls in threads of their own. The first starts at once; each next one starts when a
    module body of a running call calls `__pause__()`, or when the thread started last has ended.
    A pausing body then waits until the thread it started has ended, at most PAUSE_SECONDS (so
    that a thread which does not wait for the body's module ends before the body goes on, and
    one that waits for it, on the module's lock, lets it go on)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending = None  # while a threads step runs: the (call, outcome) pairs not started
        self._threads = []

    def pause(self):
        """The `__pause__()` of module bodies; outside a `threads` step, nothing."""
        if self._pending is None:
            return
        thread = self._start_next(None)
        if thread is not None:
            thread.join(PAUSE_SECONDS)

    def run(self, calls):
        """Each of `calls` (callables without arguments) in its own thread; returns their
        _Outcomes in the order given, once every thread has ended."""
        outcomes = [_Outcome() for _ in calls]
        self._pending, self._threads = list(zip(calls, outcomes)), []
        try:
            self._start_next(None)
            while True:
                with self._lock:
                    last = self._threads[-1]
                last.join()
                with self._lock:
                    if last is self._threads[-1] and not self._pending:
                        break
                self._start_next(last)
            for thread in self._threads:
                thread.join()
        finally:
            self._pending = None
        return outcomes

    def _start_next(self, after):
        """Start the next call's thread (when `after` is given: only if it is still the last
        one started); returns it, or None."""
        with self._lock:
            if not self._pending or after is not None and after is not self._threads[-1]:
                return None
            call, outcome = self._pending.pop(0)
            thread = threading.Thread(target=_one, args=(call, outcome))
            thread.daemon = True  # a call that never returns is the run's timeout, not a hang at exit
            self._threads.append(thread)
            thread.start()
            return thread


def _one(call, outcome):
    try:
        result = call()
    except BaseException:  # module bodies may raise anything; the thread reports it, never prints it
        outcome.outcome, outcome.exception = "raised", sys.exc_info()[1]
        return
    if isinstance(result, types.ModuleType):  # its names now: a module returned unfinished lacks some
        outcome.names = sorted(name for name in vars(result) if not name.startswith("__"))
    outcome.outcome, outcome.result = "returned", result
