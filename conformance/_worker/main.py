"""The worker: runs cases inside the interpreter under test, isolated in child processes.

Started by the host as `python -s -S -B .../conformance/_worker/main.py`; speaks the
JSON-lines protocol of conformance/schemas/protocol.schema.json on stdin/stdout.
Stdlib only, Python 3.8 syntax, imports nothing from the host side. Each run
happens in a forked child (or, with --isolation subprocess or where fork is
missing, a fresh process) in a fresh temporary directory, with a timeout; a
`together` request runs a case's targets one after another in one forked child.

With `--scratch DIR` (as the host starts it) everything the worker writes lives in DIR, which the
host owns: one directory per run, `output` (the running child's lines, which the host reads when
the worker dies, to tell how far the run got) and `loading` (the target being loaded, while it is).
"""
import gc
import itertools
import json
import os
import select
import signal
import sys
import time

PROTOCOL_VERSION = 1
_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(os.path.dirname(_HERE))
_ADDED_ROOT = _ROOT not in sys.path[1:]
if sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
    sys.path[0] = _ROOT  # the script directory is no place for case imports
elif _ADDED_ROOT:
    sys.path.insert(0, _ROOT)

from conformance._worker import targets  # noqa: E402
from conformance._worker.inprocess import run_inprocess  # noqa: E402
from conformance._worker.state import ImportState  # noqa: E402
from conformance._worker.steps import CaseError, Interrupted, RunError, run_case  # noqa: E402
from conformance._worker.tree import remove_tree, write_all  # noqa: E402


def _start_coverage():
    """With CONFORMANCE_COVERAGE=DIR (and coverage.py installed in this interpreter), trace the
    reference implementation, or with CONFORMANCE_COVERAGE_INCLUDE (file paths joined by
    os.pathsep) those files; each isolated run saves its own data file in DIR, what its case ran
    under the context "case" (loading a target is the default context). Used by the project's
    tests (impl's coverage) and `python -m conformance coverage`; off otherwise."""
    directory = os.environ.get("CONFORMANCE_COVERAGE")
    if not directory:
        return None
    targets.add_site_packages()  # where coverage.py lives
    import coverage

    include = os.environ.get("CONFORMANCE_COVERAGE_INCLUDE")
    if include:
        cov = coverage.Coverage(data_file=None, branch=True, include=include.split(os.pathsep))
    else:
        cov = coverage.Coverage(data_file=None, branch=True, source=["impl"])
    cov.start()
    return cov


def _save_coverage():
    if _COVERAGE is None:
        return
    import coverage

    _COVERAGE.stop()
    data = coverage.CoverageData(
        basename=os.path.join(os.environ["CONFORMANCE_COVERAGE"], ".coverage"),
        suffix="run-%d" % os.getpid())
    data.update(_COVERAGE.get_data())
    data.write()


_COVERAGE = _start_coverage()


def _child(case, runs, out, worker, finished=None):
    """In the isolated process: silence stdio, run the case on each (target, case_dir) of
    `runs` in turn, the import state restored before each run after the first; JSON lines to
    `out`, and a byte to `finished` (if given) as each run ends. `worker` is the worker's pid:
    once the worker is gone (a target killed it, say), the child stops at its next line."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    _hide_root()
    state = ImportState() if len(runs) > 1 else None
    for number, (target, case_dir) in enumerate(runs):
        if number:
            state.restore()
        _run_one(case, target, case_dir, out, worker)
        if finished is not None:
            write_all(finished, b".")
    _save_coverage()


def _hide_root():
    """The project's directory leaves sys.path for the case (the worker put it there)."""
    if _ADDED_ROOT and _ROOT in sys.path:
        sys.path.remove(_ROOT)


def _run_one(case, target, case_dir, out, worker):
    """One run; its last line is its outcome (or an error)."""
    os.chdir(case_dir)

    def emit(kind, data):  # written line by line: a crash later keeps what was emitted
        if os.getppid() != worker:  # orphaned: what the host reads must show where the worker died
            os._exit(70)
        line = (json.dumps([kind, data], sort_keys=True) + "\n").encode("utf-8")
        if isinstance(out, list):  # in-process isolation: the lines stay in memory
            out.append(line)
        else:
            write_all(out, line)

    if _COVERAGE is not None:
        _COVERAGE.switch_context("case")
    try:
        emit("outcome", run_case(case, target, case_dir, emit))
    except CaseError as exc:
        emit("error", {"phase": "case", "type": "CaseError", "message": "invalid case: %s" % exc})
    except RunError as exc:
        emit("error", _describe_error(exc.phase, exc.error, case_dir))
    except Interrupted:  # in-process isolation: the run overran its time
        raise
    except BaseException as exc:  # the worker's own fault
        emit("error", _describe_error("worker", exc, case_dir))


def _describe_error(phase, error, case_dir):
    """An error line's data: where, the exception's type and normalised message, the traceback."""
    import traceback

    from conformance._worker.observe import Observer

    observer = Observer(case_dir)
    described = observer.exception(error)
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__, limit=8))
    return {"phase": phase, "type": described["type"], "message": described["message"],
            "traceback": observer.text(trace)}


_RAW_KINDS = ((b'["step", ', "steps"), (b'["final", ', "final"))


def _collect(data, results):
    """Share the JSON lines of a child's output among `results` in order, a run's last line
    being its outcome (or an error); returns how many runs are complete. Observations stay
    views of `data`, sent on as they are: decoding, re-encoding or even copying them here would
    double the worker's share of each run (each page the worker writes after a fork is copied)."""
    view, done, start = memoryview(data), 0, 0
    while done < len(results):
        end = data.find(b"\n", start)
        if end < 0:  # the rest is empty, or cut short by a crash
            break
        line_start, start = start, end + 1
        if end == line_start:
            continue
        result = results[done]
        for prefix, key in _RAW_KINDS:
            if data.startswith(prefix, line_start, end) and data[end - 1] == ord("]"):
                raw = view[line_start + len(prefix):end - 1]
                if key == "steps":
                    result["steps"].append(raw)
                else:
                    result["final"] = raw
                break
        else:
            kind, value = json.loads(data[line_start:end].decode("utf-8"))
            if kind == "outcome":
                result["outcome"] = value
            elif kind == "error":  # {phase, type, message, traceback}
                result["outcome"], result["error"] = "error", value
                result["detail"] = "%s: %s: %s" % (value["phase"], value["type"], value["message"])
            if kind in ("outcome", "error"):
                done += 1
    return done


def _encode(value, parts):
    """Append a reply's JSON (UTF-8) to `parts`, with the observations (views) as they are."""
    if isinstance(value, memoryview):
        parts.append(value)
    elif isinstance(value, dict):
        separator = b"{"
        for key, item in sorted(value.items()):
            parts.append(separator + json.dumps(key).encode("utf-8") + b": ")
            _encode(item, parts)
            separator = b", "
        parts.append(b"}" if value else b"{}")
    elif isinstance(value, list):
        separator = b"["
        for item in value:
            parts.append(separator)
            _encode(item, parts)
            separator = b", "
        parts.append(b"]" if value else b"[]")
    else:
        parts.append(json.dumps(value, sort_keys=True).encode("utf-8"))


def _send(fd, reply):
    """Write a reply as one line, from its parts (os.writev): joining them would copy it."""
    parts = []
    _encode(reply, parts)
    parts.append(b"\n")
    if not hasattr(os, "writev"):
        write_all(fd, b"".join(parts))
        return
    for first in range(0, len(parts), 512):  # IOV_MAX is 1024 on Linux
        chunk = parts[first:first + 512]
        written = os.writev(fd, chunk)
        if written < sum(len(part) for part in chunk):  # cut short: the rest the plain way
            write_all(fd, b"".join(chunk)[written:])


def _describe_status(status):
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "signal %d" % number
        return "killed by %s" % name
    return "exited with code %d" % os.WEXITSTATUS(status)


_output = []  # the file children write their lines to, made on first use


def _output_file():
    """The file children write their lines to, emptied for the next child: `output` in the
    scratch directory (the host reads it if the worker dies), else an anonymous one. The lines
    go to a file rather than a pipe: the worker then sleeps until a run ends instead of waking
    for each line, and copies none of its pages while the child lives."""
    if not _output:
        if _OWN_SCRATCH:
            _output.append(os.open(os.path.join(_SCRATCH, "output"), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600))
        elif hasattr(os, "memfd_create"):
            _output.append(os.memfd_create("conformance-output"))
        else:
            path = os.path.join(_SCRATCH, "conformance-%d.out" % os.getpid())
            _output.append(os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600))
            os.remove(path)
    fd = _output[0]
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    return fd


def _run_forked(case, runs, timeout):
    """Fork one child for `runs` ([(target, case_dir, result)]), which it runs in order, each
    within `timeout` seconds; returns how many got a result (a crash or timeout ends the child
    and counts for the run it hit)."""
    out = _output_file()
    read_end, write_end = os.pipe()
    if hasattr(gc, "freeze"):
        gc.freeze()  # the child's collector then leaves the worker's objects (and pages) alone
    worker = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(read_end)
            os.setpgid(0, 0)
            _child(case, [(target, case_dir) for target, case_dir, _ in runs], out, worker, write_end)
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
    done = _collect(os.pread(out, os.lseek(out, 0, os.SEEK_CUR), 0), [result for _, _, result in runs])
    if done < len(runs):
        result = runs[done][2]
        if timed_out:
            result["outcome"], result["detail"] = "timeout", "no outcome within %gs" % timeout
        else:
            result["outcome"], result["detail"] = "crash", _describe_status(status)
        done += 1
    begin, now = started, time.monotonic()
    for number in range(done):
        end = ended[number] if number < len(ended) else now
        runs[number][2]["seconds"] = round(end - begin, 4)
        begin = end
    return done


def _run_subprocess(case, spec, case_dir, timeout, result):
    """One run in a fresh process of this interpreter, in a process group of its own (but in
    the worker's session, where the host finds it if the worker dies)."""
    import subprocess

    command = [sys.executable, "-s", "-S", "-B", os.path.abspath(__file__), "--one"]  # as the host's WORKER_FLAGS
    output = os.path.join(_SCRATCH, "output") if _OWN_SCRATCH else None
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
    _collect(out, [result])
    if timed_out:
        result["outcome"], result["detail"] = "timeout", "no outcome within %gs" % timeout
    elif result["outcome"] is None:
        status = process.returncode
        result["outcome"] = "crash"
        result["detail"] = ("killed by %s" % signal.Signals(-status).name if status < 0
                            else "exited with code %d" % status)
    result["seconds"] = round(time.monotonic() - started, 4)


_SCRATCH = os.path.realpath(os.environ.get("TMPDIR") or os.environ.get("TEMP") or os.environ.get("TMP")
                            or ("/tmp" if os.path.isdir("/tmp") else os.getcwd()))
_OWN_SCRATCH = False  # True once main() is given a directory of the worker's own (--scratch)
_numbers = itertools.count(1)


def _new_case_dir():
    """A fresh directory for one run in the scratch directory (else under TMPDIR; the host
    points both at /dev/shm where it can); named by hand, as tempfile would cost every fork
    the modules it imports."""
    while True:
        name = "%d" % next(_numbers) if _OWN_SCRATCH else "conformance-%d-%d" % (os.getpid(), next(_numbers))
        path = os.path.join(_SCRATCH, name)
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue


_REMOVE_EVERY = 16
_finished = []  # case directories of finished runs, not yet removed


def _remove_finished():
    """Remove the finished runs' directories. In batches: after a fork, every page the worker
    writes is copied once more, so removing sixteen trees at a time costs the copies of one."""
    while _finished:
        try:
            remove_tree(_finished.pop())
        except OSError:
            pass


def run(case, specs, timeout, isolation, together=False):
    """The case on each target, isolated; returns the protocol's per-target results.

    A process per run; or, `together` (with fork isolation), one forked process for all the
    runs, one after another, the import state restored between them (state.ImportState). A
    crash or timeout ends that process; the runs after it go on in a new one."""
    loaded = [_load(spec) for spec in specs]
    runs = [(target, _new_case_dir(), {"target": spec, "outcome": None, "detail": None, "steps": [],
                                       "final": None}) for spec, target in zip(specs, loaded)]
    try:
        if isolation == "inprocess":
            run_inprocess(case, runs, timeout, _run_one, _collect, _hide_root)
        elif isolation != "fork":
            for (_, case_dir, result), spec in zip(runs, specs):
                _run_subprocess(case, spec, case_dir, timeout, result)
        elif together:
            done = 0
            while done < len(runs):
                done += _run_forked(case, runs[done:], timeout)
        else:
            for one in runs:
                _run_forked(case, [one], timeout)
    finally:
        _finished.extend(case_dir for _, case_dir, _ in runs)
        if len(_finished) >= _REMOVE_EVERY:
            _remove_finished()
    return [result for _, _, result in runs]


def _load(spec):
    """targets.load, with the spec in the scratch directory's `loading` file while a target
    loads for the first time: if that kills the worker, the host can say so."""
    if not _OWN_SCRATCH or targets.is_loaded(spec):
        return targets.load(spec)
    marker = os.path.join(_SCRATCH, "loading")
    with open(marker, "w") as handle:
        handle.write(spec)
    try:
        return targets.load(spec)
    finally:
        os.remove(marker)


RUNTIME = os.environ.get("CONFORMANCE_RUNTIME", "native")  # a launcher (Node, for Pyodide) names itself


def hello(isolation):
    return {"op": "hello", "protocol": PROTOCOL_VERSION,
            "implementation": sys.implementation.name,
            "version": list(sys.version_info[:3]), "executable": sys.executable,
            "isolation": isolation, "functions": list(targets.FUNCTIONS),
            "runtime": RUNTIME, "platform": sys.platform, "maxsize": sys.maxsize}


def handle(request, isolation):
    """The reply to one request (not `quit`)."""
    op = request.get("op")
    try:
        if op == "hello":
            return hello(isolation)
        if op == "describe":
            return _load(request["target"]).describe()
        if op == "run":
            return {"op": "result", "id": request["id"],
                    "results": run(request["case"], request["targets"], request.get("timeout", 5.0),
                                   isolation, request.get("together", False))}
        return {"op": "error", "message": "unknown request op %r" % (op,)}
    except targets.TargetError as exc:
        return {"op": "error", "id": request.get("id"), "message": str(exc)}


def serve(isolation, stdin, out):
    """The request loop: one JSON object per line in (text), one per line out (to the fd `out`),
    until a quit request or the end of stdin (the host is gone); then the worker's files go."""
    try:
        for line in stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            if request.get("op") == "quit":
                break
            _send(out, handle(request, isolation))
    except BrokenPipeError:  # the host is gone
        pass
    finally:
        finish()


def finish():
    """The worker's files go (its finished runs' directories, its scratch directory)."""
    _remove_finished()
    if _OWN_SCRATCH:
        try:
            remove_tree(_SCRATCH)
        except OSError:
            pass


def embedded(scratch):
    """For a runtime that drives the worker itself (the Node launcher of Pyodide): the scratch
    directory, and a function from a request line to its reply line (in-process isolation)."""
    global _SCRATCH, _OWN_SCRATCH
    _SCRATCH, _OWN_SCRATCH = os.path.realpath(scratch), True
    # an embedding interpreter puts the working directory ('') first on sys.path, which a native
    # worker (a script) does not have: there it would be the case directory a second time
    sys.path[:] = [entry for entry in sys.path if entry not in ("", ".")]

    def reply_to(line):
        parts = []
        _encode(handle(json.loads(line), "inprocess"), parts)
        return b"".join(bytes(part) for part in parts).decode("utf-8")

    return reply_to


def _one():
    """--one: run a single case read from stdin, writing JSON lines to the real stdout."""
    request = json.loads(sys.stdin.read())
    output = request.get("output")
    out = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) if output else os.dup(1)
    try:
        target = targets.load(request["target"])
    except targets.TargetError as exc:
        error = {"phase": "loading the target", "type": "TargetError", "message": str(exc)}
        os.write(out, (json.dumps(["error", error]) + "\n").encode("utf-8"))
        return
    _child(request["case"], [(target, os.path.realpath(request["case_dir"]))], out,
           request.get("worker", os.getppid()))


def main(argv):
    if "--one" in argv:
        _one()
        return
    isolation = "fork" if hasattr(os, "fork") else "subprocess"
    if "--isolation" in argv:
        isolation = argv[argv.index("--isolation") + 1]
    if "--scratch" in argv:
        global _SCRATCH, _OWN_SCRATCH
        _SCRATCH, _OWN_SCRATCH = os.path.realpath(argv[argv.index("--scratch") + 1]), True
    protocol_out = os.dup(1)
    os.dup2(2, 1)  # stray prints (a target's import, say) must not corrupt the protocol
    serve(isolation, sys.stdin, protocol_out)


if __name__ == "__main__":
    main(sys.argv[1:])
