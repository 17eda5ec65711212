"""The worker: runs cases inside the interpreter under test, each run isolated.

Started by the host as `python -s -S -B .../conformance/_worker/main.py --scratch DIR
[--isolation fork|subprocess|inprocess]`; speaks the JSON-lines protocol of
conformance/schemas/protocol.schema.json on stdin/stdout. Stdlib only, Python 3.8 syntax,
imports nothing from the host side. A runtime that drives the worker itself (Pyodide's launcher)
uses `embedded`; a run in a process of its own is `main.py --one`.
"""
import json
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(os.path.dirname(_HERE))
_ADDED_ROOT = _ROOT not in sys.path[1:]
if sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
    sys.path[0] = _ROOT  # the script directory is no place for case imports
elif _ADDED_ROOT:
    sys.path.insert(0, _ROOT)

from conformance._worker import targets  # noqa: E402
from conformance._worker.branches import Branches  # noqa: E402
from conformance._worker.calls import FUNCTIONS  # noqa: E402
from conformance._worker.child import run_child  # noqa: E402
from conformance._worker.isolation import Isolation  # noqa: E402
from conformance._worker.scratch import Scratch  # noqa: E402
from conformance._worker.startup import Startup  # noqa: E402
from conformance._worker.wire import PROTOCOL_VERSION, encode_reply, send  # noqa: E402

__all__ = ["PROTOCOL_VERSION", "Worker", "embedded", "main"]

STARTUP = Startup(_ROOT if _ADDED_ROOT else None)
RUNTIME = os.environ.get("CONFORMANCE_RUNTIME", "native")  # a launcher (Node, for Pyodide) names itself


class Worker(object):
    """Replies to the host's requests: `isolation` (fork, subprocess or inprocess) and the
    scratch directory (a directory of its own, or None: under TMPDIR) say how and where it runs."""

    def __init__(self, isolation, scratch=None):
        self.scratch = Scratch(scratch)
        self.isolation = Isolation(isolation, self.scratch, STARTUP)
        self.branches = Branches()

    def hello(self):
        return {"op": "hello", "protocol": PROTOCOL_VERSION,
                "implementation": sys.implementation.name,
                "version": list(sys.version_info[:3]), "executable": sys.executable,
                "isolation": self.isolation.mode, "functions": list(FUNCTIONS),
                "runtime": RUNTIME, "platform": sys.platform, "maxsize": sys.maxsize}

    def handle(self, request):
        """The reply to one request (not `quit`)."""
        op = request.get("op")
        try:
            if op == "hello":
                return self.hello()
            if op == "describe":
                return self._load(request["target"]).describe()
            if op == "run":
                watched = request.get("branches", False)
                if watched:
                    self.branches.start()
                    for spec in request["targets"]:
                        self.branches.watch(self._load(spec).module)
                self.isolation.branches = self.branches if watched else None
                reply = {"op": "result", "id": request["id"],
                         "results": self.run(request["case"], request["targets"], request.get("timeout", 5.0),
                                             request.get("together", False))}
                if watched:
                    reply["branches"] = self.branches.take()
                if self.isolation.retire is not None:  # replace me: see Isolation.retire
                    reply["retire"] = self.isolation.retire
                return reply
            return {"op": "error", "message": "unknown request op %r" % (op,)}
        except targets.TargetError as exc:
            return {"op": "error", "id": request.get("id"), "message": str(exc)}

    def run(self, case, specs, timeout, together=False):
        """The case on each target, isolated; the protocol's per-target results."""
        loaded = [self._load(spec) for spec in specs]
        runs = [(target, self.scratch.new_case_dir(), {"target": spec, "outcome": None, "detail": None,
                                                       "steps": [], "final": None})
                for spec, target in zip(specs, loaded)]
        try:
            self.isolation.run(case, runs, timeout, together)
        finally:
            self.scratch.finished([case_dir for _, case_dir, _ in runs])
        return [result for _, _, result in runs]

    def _load(self, spec):
        """targets.load, the scratch directory saying which target loads the first time it does."""
        if targets.is_loaded(spec):
            return targets.load(spec)
        self.isolation.state_changed()
        return self.scratch.loading(spec, targets.load)

    def serve(self, stdin, out):
        """The request loop: one JSON object per line in (text), one per line out (to the fd
        `out`), until a quit request or the end of stdin (the host is gone); then the worker's
        files go."""
        try:
            for line in stdin:
                if not line.strip():
                    continue
                request = json.loads(line)
                if request.get("op") == "quit":
                    break
                send(out, self.handle(request))
        except BrokenPipeError:  # the host is gone
            pass
        finally:
            self.finish()

    def reply_to(self, line):
        """The reply line (text, no newline) to a request line: for a runtime that carries the
        lines itself."""
        return encode_reply(self.handle(json.loads(line)))

    def finish(self):
        """The worker's files go (its finished runs' directories, its scratch directory)."""
        self.scratch.finish()


def embedded(scratch):
    """For a runtime that drives the worker itself (the Node launcher of Pyodide): a Worker with
    in-process isolation and its scratch directory; the launcher calls its reply_to and finish."""
    # an embedding interpreter puts the working directory ('') first on sys.path, which a native
    # worker (a script) does not have: there it would be the case directory a second time
    sys.path[:] = [entry for entry in sys.path if entry not in ("", ".")]
    return Worker("inprocess", scratch)


def _one():
    """--one: run a single case read from stdin, writing JSON lines to the file it names (else
    the real stdout)."""
    request = json.loads(sys.stdin.read())
    output = request.get("output")
    out = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) if output else os.dup(1)
    try:
        target = targets.load(request["target"])
    except targets.TargetError as exc:
        error = {"phase": "loading the target", "type": "TargetError", "message": str(exc)}
        os.write(out, (json.dumps(["error", error]) + "\n").encode("utf-8"))
        return
    run_child(request["case"], [(target, os.path.realpath(request["case_dir"]))], out,
              request.get("worker", os.getppid()), STARTUP)


def _guard():
    """In-process, a run's process is the worker's own, and a run may reach that process's parent
    (os.getppid(): a target that kills "its worker"); the parent must be the worker's, never the
    host. So this process forks: the parent, the guardian, lets go of every stream and only waits
    for the child, the worker, ending as it ends; a run that kills the guardian ends the worker at
    its next line (child.run_one: its parent is gone), as a forked run that kills its worker does."""
    pid = os.fork()
    if pid == 0:
        return
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):  # the worker's death, as the host would have seen it
        import signal

        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)


def main(argv):
    if "--one" in argv:
        _one()
        return
    isolation = "fork" if hasattr(os, "fork") else "subprocess"
    if "--isolation" in argv:
        isolation = argv[argv.index("--isolation") + 1]
    scratch = argv[argv.index("--scratch") + 1] if "--scratch" in argv else None
    if isolation == "inprocess" and hasattr(os, "fork"):
        _guard()
    worker = Worker(isolation, scratch)
    protocol_out = os.dup(1)
    os.dup2(2, 1)  # stray prints (a target's import, say) must not corrupt the protocol
    worker.serve(sys.stdin, protocol_out)


if __name__ == "__main__":
    main(sys.argv[1:])
