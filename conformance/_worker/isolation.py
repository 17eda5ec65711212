"""Isolation: each run of a case in a forked child, a fresh process of this interpreter, or this
very process (in-process: for runtimes without fork or subprocesses, Pyodide), with a timeout; a
run that hangs is a timeout, one that kills its process a crash, and the worker goes on.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax. A `together` request runs
a case's targets one after another in one forked child, the import state restored between them
(state.ImportState). In-process, after each run the import state, the working directory and the
standard descriptors are put back as they were before it. A run that overruns its time there is
stopped by `Interrupted`, raised from a SIGALRM timer where the platform has one, or from SIGINT,
which a runtime's watchdog raises from outside (Pyodide's interrupt buffer); what neither can
stop (a sleep in Pyodide, `os._exit`) the watchdog ends by ending the runtime.
"""
import gc
import json
import os
import select
import signal
import sys
import time

from conformance._worker.child import run_child, run_one
from conformance._worker.lazy import shares_no_process
from conformance._worker.state import ImportState, threads
from conformance._worker.steps import Interrupted
from conformance._worker.wire import collect, exit_wording, wait_status_code

__all__ = ["MODES", "Isolation"]

MODES = ("fork", "subprocess", "inprocess")
MAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "main.py")
# In-process, a worker asks to be replaced (the `retire` of a result) after this many runs, or
# once its resident size passes RSS_LIMIT (checked every RSS_EVERY runs), or when a run left a
# thread running (no restore reaches a thread).
MAX_RUNS = int(os.environ.get("CONFORMANCE_MAX_RUNS", "5000"))
RSS_LIMIT = 120 * 1024 * 1024
RSS_EVERY = 50


class Isolation(object):
    """How this worker isolates its runs (`mode`, one of MODES), with its scratch directory and
    what its start-up set up."""

    def __init__(self, mode, scratch, startup):
        self.mode, self.scratch, self.startup = mode, scratch, startup
        self.runs_in_process = 0
        self.retire = None  # why this worker should be replaced (in-process runs), once it should
        self._state = None  # the import state between in-process runs (restore makes it so again)
        self.parent = os.getppid()  # in-process: the guardian (main._guard), whose loss ends this worker
        self.branches = None  # a branches.Branches watching the in-process runs, when asked

    def state_changed(self):
        """The worker changed the import state itself (it loaded a target): the next in-process
        run saves it anew."""
        self._state = None

    def run(self, case, runs, timeout, together=False):
        """Fill in the results of `runs` ([(target, case_dir, result)], `result` naming its
        target spec): a process per run; or, `together` (fork only), one forked process for all
        of them, one after another. A crash or timeout ends that process; the runs after it go
        on in a new one. A case with lazy imports runs in a process of its own per run, whatever
        was asked (lazy.shares_no_process)."""
        alone = shares_no_process(case)
        together = together and not alone
        if self.mode == "inprocess" and not alone:
            for run in runs:
                self._run_inprocess(case, run, timeout)
        elif self.mode == "subprocess" or not hasattr(os, "fork"):
            for _, case_dir, result in runs:
                self._run_subprocess(case, result["target"], case_dir, timeout, result)
        elif together:
            done = 0
            while done < len(runs):
                done += self._run_forked(case, runs[done:], timeout)
        else:
            for one in runs:
                self._run_forked(case, [one], timeout)

    # -- a forked child --------------------------------------------------------------
    def _run_forked(self, case, runs, timeout):
        """Fork one child for `runs`, which it runs in order, each within `timeout` seconds;
        returns how many got a result (a crash or timeout ends the child and counts for the run
        it hit)."""
        out = self.scratch.output_file()
        read_end, write_end = os.pipe()
        if hasattr(gc, "freeze"):
            gc.freeze()  # the child's collector then leaves the worker's objects (and pages) alone
        worker = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            try:
                os.close(read_end)
                os.setpgid(0, 0)
                run_child(case, [(target, case_dir) for target, case_dir, _ in runs], out, worker,
                          self.startup, write_end)
            finally:
                os._exit(0)
        os.close(write_end)
        ended, timed_out = [], False  # when each run ended
        started = time.monotonic()
        deadline = started + timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                ready = select.select([read_end], [], [], max(remaining, 0))[0] if remaining > 0 else []
                if not ready:
                    timed_out = True
                    break
                chunk = os.read(read_end, 64)
                if not chunk:
                    break
                now = time.monotonic()
                ended.extend([now] * len(chunk))
                deadline = now + timeout
        finally:
            os.close(read_end)
        if timed_out:
            for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
                try:
                    kill()
                except OSError:
                    pass
        _, status = os.waitpid(pid, 0)
        done = collect(os.pread(out, os.lseek(out, 0, os.SEEK_CUR), 0), [result for _, _, result in runs])
        if done < len(runs):
            result = runs[done][2]
            if timed_out:
                result["outcome"], result["detail"] = "timeout", "no outcome within %gs" % timeout
            else:
                result["outcome"], result["detail"] = "crash", exit_wording(wait_status_code(status))
            done += 1
        begin, now = started, time.monotonic()
        for number in range(done):
            end = ended[number] if number < len(ended) else now
            runs[number][2]["seconds"] = round(end - begin, 4)
            begin = end
        return done

    # -- a process of its own ------------------------------------------------------------
    def _run_subprocess(self, case, spec, case_dir, timeout, result):
        """One run in a fresh process of this interpreter (main.py --one), in a process group of
        its own (but in the worker's session, where the host finds it if the worker dies)."""
        import subprocess

        command = [sys.executable, "-s", "-S", "-B", MAIN, "--one"]  # as the host's WORKER_FLAGS
        if sys.flags.optimize:  # a worker for cases with `optimize` (-O, -OO)
            command.insert(1, "-" + "O" * sys.flags.optimize)
        if sys.flags.verbose:  # a worker for cases with `verbose` (-v)
            command.insert(1, "-v")
        output = self.scratch.output_path()
        request = json.dumps({"case": case, "target": spec, "case_dir": case_dir, "output": output,
                              "worker": os.getpid()})
        if output is not None:  # emptied here: a process killed before it opens the file must not
            os.close(os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))  # leave the last run's lines
        started = time.monotonic()
        group = {"preexec_fn": os.setpgrp} if hasattr(os, "setpgrp") else {}
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, **group)
        timed_out = False
        try:
            out, _ = process.communicate(request.encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
            timed_out = True
        if output is not None:
            with open(output, "rb") as handle:
                out = handle.read()
        collect(out, [result])
        if timed_out:
            result["outcome"], result["detail"] = "timeout", "no outcome within %gs" % timeout
        elif result["outcome"] is None:
            result["outcome"], result["detail"] = "crash", exit_wording(process.returncode)
        result["seconds"] = round(time.monotonic() - started, 4)

    # -- this process ------------------------------------------------------------------------
    def _run_inprocess(self, case, run, timeout):
        """One run in this process, within `timeout` seconds as far as a timer or an outside
        interrupt can stop it; its lines in memory, which no case can reach as it could a file
        descriptor."""
        target, case_dir, result = run
        if os.getppid() != self.parent:  # the guardian was killed: the worker is lost, as a forked
            os._exit(70)  # run's worker killed from outside is
        if hasattr(gc, "freeze"):
            gc.freeze()  # objects alive now are never this run's garbage: restore's collection skips them
        state, running = self._state or ImportState(), threads()
        self.startup.hide_root()
        out = []
        saved = _silence()
        started = time.monotonic()
        stopped = False
        previous = _arm(timeout)
        watching = self.branches
        try:
            if watching is not None:
                watching.begin()
            run_one(case, target, case_dir, out, self.parent, self.startup)
        except Interrupted:
            stopped = True
        finally:
            if watching is not None:
                watching.end()
            _disarm(previous)
            _unsilence(saved)
            state.restore()
            self._state = state
        self._count_run(running)
        if not collect(b"".join(out), [result]):
            result["outcome"] = "timeout" if stopped else "crash"
            result["detail"] = ("no outcome within %gs" % timeout if stopped
                                else "the run ended without an outcome")
        result["seconds"] = round(time.monotonic() - started, 4)

    def _count_run(self, running):
        """Note one more run in this process, and whether the worker should now be replaced."""
        self.runs_in_process += 1
        if self.retire is not None:
            return
        if running is not None and threads() > running:
            self.retire = "a run left a thread running"
        elif self.runs_in_process >= MAX_RUNS:
            self.retire = "%d runs in its process" % self.runs_in_process
        elif self.runs_in_process % RSS_EVERY == 0:
            size = resident_size()
            if size is not None and size > RSS_LIMIT:
                self.retire = "resident size %d MB" % (size >> 20)


def resident_size():
    """This process's resident size in bytes (Linux: /proc/self/statm), or None."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


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
