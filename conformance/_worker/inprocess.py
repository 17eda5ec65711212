"""In-process isolation, for runtimes without fork or subprocesses (Pyodide): the runs of a case
one after another in the worker's own process, and after each the import state, the working
directory and the standard descriptors put back as they were before it.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax. A run that overruns its
time is stopped by `Interrupted`, raised from a SIGALRM timer where the platform has one, or
from SIGINT, which a runtime's watchdog raises from outside (Pyodide's interrupt buffer). What
neither can stop (a sleep in Pyodide, `os._exit`) the watchdog ends by ending the runtime.
"""
import gc
import os
import signal
import sys
import time

from conformance._worker.state import ImportState
from conformance._worker.steps import Interrupted

__all__ = ["run_inprocess"]


def _interrupt(signum, frame):
    raise Interrupted()


def _arm(timeout):
    """Install the handlers that turn a timer or an outside interrupt into Interrupted."""
    previous = {}
    for name in ("SIGINT", "SIGALRM"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                previous[number] = signal.signal(number, _interrupt)
            except (OSError, ValueError, RuntimeError):
                pass
    if hasattr(signal, "setitimer") and getattr(signal, "SIGALRM", None) in previous:
        signal.setitimer(signal.ITIMER_REAL, timeout)
    return previous


def _disarm(previous):
    if hasattr(signal, "setitimer") and getattr(signal, "SIGALRM", None) in previous:
        signal.setitimer(signal.ITIMER_REAL, 0)
    for number, handler in previous.items():
        try:
            signal.signal(number, handler)
        except (OSError, ValueError, RuntimeError):
            pass


def _silence():
    """Point fds 0-2 at /dev/null, as a forked child does; returns what restores them. Not on
    Emscripten: the launcher discards the runtime's output itself, and a dup2 onto a standard
    descriptor there is a fatal error of the runtime (Pyodide 0.28)."""
    saved = []
    if sys.platform == "emscripten":
        return saved
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        try:
            saved.append((fd, os.dup(fd)))
            os.dup2(null, fd)
        except OSError:
            pass
    os.close(null)
    return saved


def _unsilence(saved):
    for fd, copy in saved:
        try:
            os.dup2(copy, fd)
        finally:
            os.close(copy)


def run_inprocess(case, runs, timeout, run_one, collect, prepare):
    """Run `runs` ([(target, case_dir, result)]) in this process, each within `timeout` seconds
    as far as a timer or an outside interrupt can stop it, `prepare()` first (after the state
    is saved); fill in the results (through `collect`, from the lines `run_one` appends to the
    list it is given: in memory, which no case can reach as it could a file descriptor)."""
    for target, case_dir, result in runs:
        if hasattr(gc, "freeze"):
            gc.freeze()  # objects alive now are never this run's garbage: restore's collection skips them
        state, cwd = ImportState(), os.getcwd()
        prepare()
        out = []
        saved = _silence()
        started = time.monotonic()
        stopped = False
        previous = _arm(timeout)
        try:
            run_one(case, target, case_dir, out, os.getppid())
        except Interrupted:
            stopped = True
        finally:
            _disarm(previous)
            _unsilence(saved)
            os.chdir(cwd)
            state.restore()
        if not collect(b"".join(out), [result]):
            result["outcome"] = "timeout" if stopped else "crash"
            result["detail"] = ("no outcome within %gs" % timeout if stopped
                                else "the run ended without an outcome")
        result["seconds"] = round(time.monotonic() - started, 4)
