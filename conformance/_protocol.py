"""The host's end of the worker protocol (schemas/protocol.schema.json, whose hello gives its version).

A Worker is one long-lived process of an interpreter under test running
conformance/_worker/main.py; requests and replies are JSON lines. Each worker runs in a session
of its own with a scratch directory of its own: when it dies or stops answering, the host kills
everything left in that session, says how far the run got (WorkerLost), and removes the directory.
"""
from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
import weakref
from pathlib import Path
from typing import Any

from conformance._interpreters import Interpreter
from conformance._worker.wire import PROTOCOL_VERSION, exit_wording

__all__ = ["PROTOCOL_VERSION", "WORKER_FLAGS", "WORKER_SCRIPT", "Worker", "WorkerError", "WorkerLost",
           "describe_progress", "scratch_parent", "worker_env"]

WORKER_SCRIPT = Path(__file__).parent / "_worker" / "main.py"
# No site-packages (-S, -s): .pth files must not add finders or modules to the cases' interpreter,
# and a lean process forks faster. No bytecode writing (-B).
WORKER_FLAGS = ["-s", "-S", "-B"]
RAM_DISK = "/dev/shm"
# A reply may take its runs' timeouts twice over (forking, files), plus REPLY_GRACE seconds, plus
# LOAD_GRACE for each target the worker has not loaded yet (a big import hook may take a while).
REPLY_GRACE = 10.0
LOAD_GRACE = 60.0
EXIT_WAIT = 2.0  # seconds a worker that closed its output gets to exit before it is killed


class WorkerError(Exception):
    """The worker died, spoke out of protocol, or refused a request."""


class WorkerLost(WorkerError):
    """The worker died (`outcome` crash) or stopped answering (`outcome` timeout) and is gone
    with everything it started; `detail` says how, `phase` how far its run had got."""

    def __init__(self, label: str, outcome: str, detail: str, phase: str, stderr: str):
        super().__init__("worker in %s: %s%s%s" % (label, detail, " (%s)" % phase if phase else "",
                                                    ": " + stderr if stderr else ""))
        self.outcome, self.detail, self.phase = outcome, detail, phase


def worker_env() -> dict[str, str]:
    """The environment of a worker: no PYTHON* variables but a fixed hash seed and no bytecode;
    TMPDIR as given, else /dev/shm where it exists."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8")
    if "TMPDIR" not in env and os.path.isdir(RAM_DISK) and os.access(RAM_DISK, os.W_OK | os.X_OK):
        env["TMPDIR"] = RAM_DISK  # case directories in memory: file writes cost a tenth
    return env


def scratch_parent() -> str:
    """Where the workers' scratch directories go: the workers' TMPDIR."""
    return worker_env().get("TMPDIR") or tempfile.gettempdir()


_LIVE: weakref.WeakSet = weakref.WeakSet()  # workers not closed yet, closed at exit whatever happens


@atexit.register
def _close_all() -> None:
    for worker in list(_LIVE):
        worker.close()


class Worker:
    """A running worker process; `run` sends one case and returns its per-target results.
    `scratch`: the worker's own directory (made here if not given), removed by close()."""

    def __init__(self, interpreter: Interpreter, isolation: str | None = None, scratch: str | None = None,
                 flags: tuple[str, ...] = ()):
        self.interpreter = interpreter
        self.scratch = scratch or tempfile.mkdtemp(prefix="conformance-", dir=scratch_parent())
        os.makedirs(self.scratch, exist_ok=True)
        if interpreter.launcher:  # a runtime's launcher: in-process runs, its own watchdog
            command = [*interpreter.launcher, "--scratch", self.scratch, "--mount", os.getcwd()]
        else:
            command = [interpreter.path, *WORKER_FLAGS, *flags,
                       str(WORKER_SCRIPT), "--scratch", self.scratch]
            if isolation:
                command += ["--isolation", isolation]
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            env=worker_env(), bufsize=0, cwd=tempfile.gettempdir(),
            start_new_session=True)  # Ctrl-C at a terminal interrupts the host, which closes its workers
        _LIVE.add(self)
        self._buffer = bytearray()
        self._next_id = 0
        self._steps = 0  # steps of the case in flight, to say how far it got if the worker dies
        self._loaded: set[str] = set()
        self._busy = False
        self.retiring: str | None = None
        try:
            self.hello = self.request({"op": "hello"}, limit=LOAD_GRACE)
        except BaseException:
            self.close()
            raise
        if self.hello.get("protocol") != PROTOCOL_VERSION:
            self.close()
            raise WorkerError(f"{interpreter.path}: worker speaks protocol "
                              f"{self.hello.get('protocol')!r}, host speaks {PROTOCOL_VERSION}")

    def request(self, message: dict[str, Any], limit: float | None = None) -> dict[str, Any]:
        """Send one request and return its reply; WorkerLost if the worker dies, or gives no
        reply within `limit` seconds (it is then killed)."""
        self._busy = True
        try:
            try:
                self._process.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
            except (OSError, ValueError):
                pass  # a dead (or closed) worker: the end of its output says so
            line = self._read_line(limit)
        finally:
            self._busy = False
        reply = json.loads(line)
        if reply.get("op") == "error":
            raise WorkerError(reply["message"])
        return reply

    def _read_line(self, limit: float | None) -> bytes:
        deadline = None if limit is None else time.monotonic() + limit
        fd = self._process.stdout.fileno()
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[:end + 1]
                return line
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise self._lost(limit)
            if select.select([fd], [], [], remaining)[0]:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise self._lost()
                self._buffer += chunk

    def run(self, case: dict[str, Any], targets: list[str], timeout: float,
            shared_process: bool = False, fresh: bool = False, branches: bool = False) -> list[dict[str, Any]]:
        """Per-target results of one case. `shared_process` (the request's `together`): the
        targets may share one forked process, run in the order given with the import state
        restored between them (the first run sees exactly what a run of its own would). `fresh` (a
        runtime's launcher only): each target in a runtime started for it, the in-process
        counterpart of a process per run. `branches`: the first result's "branches" holds the
        branches of importlib its in-process runs reached first in this worker (the reply's)."""
        self._next_id += 1
        request = {"op": "run", "id": self._next_id, "case": case, "targets": targets, "timeout": timeout}
        if shared_process:
            request["together"] = True
        fresh = fresh and bool(self.interpreter.launcher)
        if fresh:
            request["fresh"] = True
        if branches:
            request["branches"] = True
        self._steps = len(case.get("steps", ()))
        limit = len(targets) * (2 * timeout + 1) + REPLY_GRACE + LOAD_GRACE * len(set(targets) - self._loaded)
        if self.interpreter.launcher:  # the launcher may be restarting its runtime (and reloading targets)
            limit += LOAD_GRACE * (1 + (len(targets) if fresh else 0))
        reply = self.request(request, limit)
        self.retiring = reply.get("retire")  # in-process: the worker asks to be replaced, saying why
        self._loaded.update(targets)
        if reply.get("id") != self._next_id:
            raise WorkerError(f"reply for request {reply.get('id')}, expected {self._next_id}")
        if reply.get("branches") and reply["results"]:
            reply["results"][0]["branches"] = reply["branches"]
        return reply["results"]

    def describe(self, target: str) -> dict[str, Any]:
        """What `target` declares (the `describe` reply): functions, hook, install, ignore."""
        reply = self.request({"op": "describe", "target": target}, REPLY_GRACE + LOAD_GRACE)
        self._loaded.add(target)
        return reply

    def alive(self) -> bool:
        return self._process.poll() is None

    def _lost(self, limit: float | None = None) -> WorkerLost:
        """Kill what is left of the worker's session; what happened, and how far its run got."""
        if limit is not None:
            outcome, detail = "timeout", "worker gave no reply within %gs" % limit
        else:
            outcome = "crash"
            try:
                detail = "worker " + exit_wording(self._process.wait(timeout=EXIT_WAIT))
            except subprocess.TimeoutExpired:
                detail = "worker closed its output"
        self.kill()
        return WorkerLost(self.interpreter.label, outcome, detail, self._phase(), self._stderr_tail())

    def _phase(self) -> str:
        """How far the run had got when the worker was lost, as its scratch directory shows
        (see the worker's docstring)."""
        try:
            return "while loading target %s" % Path(self.scratch, "loading").read_text()
        except OSError:
            pass
        try:
            return describe_progress(Path(self.scratch, "output").read_bytes(), self._steps)
        except OSError:
            return ""

    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(0)
            text = self._stderr.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""
        return text.splitlines()[-1] if text else ""

    def kill(self) -> None:
        """Kill the worker and every process left in its session (its runs' children and theirs)."""
        _kill_session(self._process.pid)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        """Stop the worker (asked to quit if idle, killed otherwise) and all it started; remove
        its scratch directory."""
        _LIVE.discard(self)
        busy = self._busy  # another thread is reading its reply: its pipes stay open for it
        if self._process.poll() is None and not busy:
            try:
                self._process.stdin.write(json.dumps({"op": "quit"}).encode("utf-8") + b"\n")
                self._process.stdin.close()
                self._process.wait(timeout=EXIT_WAIT)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        self.kill()
        if not busy:
            for stream in (self._process.stdin, self._process.stdout, self._stderr):
                try:
                    stream.close()
                except OSError:
                    pass
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def describe_progress(output: bytes, steps: int) -> str:
    """How far a run of a case of `steps` steps had got, from its child's output lines. The
    child stops at its next line once its worker is gone, but may not see that at once: this
    is what the host saw when it noticed the loss, not the exact place of death."""
    observed, final, ended = 0, False, False
    for line in output.splitlines():
        if ended:  # the next run of a shared process
            observed, final = 0, False
        ended = line.startswith((b'["outcome"', b'["error"'))
        observed += line.startswith(b'["step"')
        final = final or line.startswith(b'["final"')
    if ended:
        return "after the run ended"
    if final:
        return "after the final observation"
    if observed == 0:
        return "before any step was observed"
    if observed < steps:
        return "after %d of %d steps were observed" % (observed, steps)
    return "after all steps were observed"


def _session_members(session: int) -> list[int]:
    """The live processes of a session, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()  # state, ppid, pgrp, session, ...
        if int(fields[3]) == session and fields[0] not in (b"Z", b"X"):
            members.append(int(entry))
    return members


def _kill_session(session: int) -> None:
    """SIGKILL every process of a worker's session: the worker, and the children that live on
    in the session after it dies (again until none is left, as one may fork while others die).
    Without /proc (not Linux), the worker's own process group."""
    if not os.path.isdir("/proc/self"):
        try:
            os.killpg(session, signal.SIGKILL)
        except OSError:
            pass
        return
    for _ in range(100):
        members = _session_members(session)
        if not members:
            return
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.001)
