"""One run of a case, in the process that isolates it: stdio silenced, the project's directory off
sys.path, the case run on its target, its observations written as JSON lines as they are made.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax. The lines go to a file
descriptor (a forked child, a process of its own) or, in-process, to a list in memory.
"""
import json
import os

from conformance._worker.observe import Observer
from conformance._worker.state import ImportState
from conformance._worker.steps import CaseError, Interrupted, RunError, run_case
from conformance._worker.tree import write_all

__all__ = ["run_child", "run_one"]


def run_child(case, runs, out, worker, startup, finished=None):
    """In the isolated process: silence stdio, run the case on each (target, case_dir) of
    `runs` in turn, the import state restored before each run after the first (its containers and
    settings: ImportState(complete=False)); JSON lines to `out`, and a byte to `finished` (if
    given) as each run ends. `worker` is the worker's pid: once the worker is gone (a target killed
    it, say), the child stops at its next line."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    startup.hide_root()
    state = ImportState(complete=False) if len(runs) > 1 else None
    for number, (target, case_dir) in enumerate(runs):
        if number:
            state.restore()
        run_one(case, target, case_dir, out, worker, startup)
        if finished is not None:
            write_all(finished, b".")
    startup.save_coverage()


def run_one(case, target, case_dir, out, worker, startup):
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

    startup.case_begins()
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

    observer = Observer(case_dir)
    described = observer.exception(error)
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__, limit=8))
    return {"phase": phase, "type": described["type"], "message": described["message"],
            "traceback": observer.text(trace)}
