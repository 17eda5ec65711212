"""Lost workers: a worker killed from outside, one killed or stopped by its target, and a host
stopped by SIGTERM. The run goes on (or stops with one line), and nothing is left behind: no
`conformance-*` directory and no process of the run, for fork and subprocess isolation."""
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conformance import _protocol
from conformance._case import load_cases
from tests.conftest import REPO, TARGETS, case_file

pytestmark = pytest.mark.slow

# fork: a target slow enough (20 ms a run) to be caught mid-run; subprocess: slow by itself.
SLOW_CHECK = {
    "fork": ["--target", TARGETS / "slow_control.py", "--python", "3.11"],
    "subprocess": ["--target", "stdlib", "--reference", "expected", "--python", "3.12", "--isolation", "subprocess"],
}


@pytest.fixture
def scratch(tmp_path):
    """The TMPDIR of the run under test; empty afterwards, and no process of the run alive."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    yield directory
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and _leftovers(directory) != ([], []):
        time.sleep(0.1)
    names, pids = _leftovers(directory)
    for pid in pids:  # a failing test must not leave them running either
        os.kill(pid, signal.SIGKILL)
    assert (names, pids) == ([], []), "directories or processes were left behind"


def _leftovers(directory):
    """conformance-* directories in `directory`, and live processes whose TMPDIR is `directory`
    (every worker, run and grandchild of the run under test inherits it)."""
    names = sorted(path.name for path in directory.iterdir())
    marker = b"\0TMPDIR=" + str(directory).encode() + b"\0"
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % entry, "rb") as handle:
                environ = b"\0" + handle.read()
            with open("/proc/%s/stat" % entry, "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in environ and state not in (b"Z", b"X"):
            pids.append(int(entry))
    return names, pids


def _start(directory, *args):
    env = dict(os.environ, TMPDIR=str(directory))
    return subprocess.Popen([sys.executable, "-m", "conformance", *map(str, args)], env=env, cwd=directory.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as at a terminal


def _workers(directory):
    """Pids of the workers whose scratch directories are below `directory`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/cmdline" % entry, "rb") as handle:
                    command = handle.read().split(b"\0")
            except OSError:
                continue
            if b"--scratch" in command and command[command.index(b"--scratch") + 1].startswith(str(directory).encode()):
                found.append(int(entry))
    return found


def _runs(directory):
    """Pids of the processes the workers forked or started for their runs."""
    workers, found = set(_workers(directory)), []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry, "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) in workers and fields[0] not in (b"Z", b"X"):
                found.append(int(entry))
    return found


def _asleep(pid):
    try:
        with open("/proc/%d/wchan" % pid) as handle:
            return "nanosleep" in handle.read()
    except OSError:
        return False


def _once_running(directory, seconds=1.0):
    """Wait until the run has workers, then `seconds` more; the workers' pids."""
    deadline = time.monotonic() + 30
    while not _workers(directory):
        assert time.monotonic() < deadline, "no worker started"
        time.sleep(0.05)
    time.sleep(seconds)
    return _workers(directory)


@pytest.mark.parametrize("isolation", ["fork", "subprocess"])
@pytest.mark.parametrize("victim", ["worker", "run"])
def test_check_survives_a_kill_from_outside(scratch, isolation, victim):
    # kill -9 of a worker, or of the process of one of its runs: either costs a retry, not a result
    report = scratch.parent / "report.json"
    slow = SLOW_CHECK[isolation] if victim == "worker" else [  # install() sleeps 0.5 s: a run to catch mid-way
        "--target", TARGETS / "sleepy_control.py", "--python", "3.11", "--isolation", isolation,
        "--cases", REPO / "conformance" / "catalogue" / "circular.json"]
    host = _start(scratch, "check", *slow, "--jobs", "2", "--json", report)
    workers = _once_running(scratch, 1.0 if victim == "worker" else 0.2)
    if victim == "worker":
        os.kill(workers[0], signal.SIGKILL)
    else:  # one run, killed while the kernel shows it asleep in install() (a run killed as it
        deadline = time.monotonic() + 20  # ends, its outcome written, would change nothing)
        while not any(_asleep(pid) and not os.kill(pid, signal.SIGKILL) for pid in _runs(scratch)):
            assert time.monotonic() < deadline, "no run caught asleep"
    out, err = host.communicate(timeout=300)
    assert host.returncode == 0, out[-3000:] + err
    data = json.loads(report.read_text())
    # a killed worker is replaced (if it was describing the target at start-up, no run is retried)
    assert (data["worker_restarts"] if victim == "worker" else data["retried_runs"]) >= 1, data
    assert data["crashed_runs"] == 0, data
    assert data["failed"] == 0 and data["errors"] == [] and data["passed"] == data["cases"]
    cases = [slow[slow.index("--cases") + 1]] if "--cases" in slow else None  # default: the catalogue
    assert data["passed"] + data["skipped"] == len(load_cases(cases))  # every case compared
    if victim == "worker":
        assert "worker restart" in out.strip().splitlines()[-1]


def test_fuzz_survives_a_worker_killed_from_outside(scratch):
    report = scratch.parent / "report.json"
    host = _start(scratch, "fuzz", "--target", "stdlib", "--python", "3.11", "--seconds", "12", "--jobs", "2",
                  "--json", report, "--out", scratch.parent / "findings")
    started = time.monotonic()
    os.kill(_once_running(scratch, 3.0)[0], signal.SIGKILL)
    out, err = host.communicate(timeout=120)
    assert host.returncode == 0, out + err
    assert time.monotonic() - started >= 11  # ran to its budget
    data = json.loads(report.read_text())
    assert data["divergences"] == [] and data["worker_restarts"] >= 1 and data["cases"] > 100


@pytest.mark.parametrize("isolation", ["fork", "subprocess"])
def test_a_target_that_kills_every_worker_stops_with_one_line(scratch, isolation):
    host = _start(scratch, "check", "--target", TARGETS / "kills_worker.py", "--python", "3.11", "--jobs", "2",
                  "--isolation", isolation)
    out, err = host.communicate(timeout=120)
    assert host.returncode == 2, out + err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("error: target %s: its worker in cpython 3.11" % (TARGETS / "kills_worker.py"))
    first = re.search(r"died in each of its first (\d+) runs \(worker killed by SIGKILL", err)
    assert first and int(first.group(1)) >= 5, err  # 5, or a little more: runs are lost concurrently


def _cases():
    def imports(name):
        return {"id": "imports-" + name, "files": {name + ".py": "x = 1"},
                "steps": [{"op": "import_module", "name": name}, {"op": "import_module", "name": "sys"}]}

    return [imports("a"), imports("q"), imports("b")]


@pytest.mark.parametrize("isolation", ["fork", "subprocess"])
def test_runs_that_kill_their_worker_are_crashes_and_the_rest_run(scratch, isolation):
    report = scratch.parent / "report.json"
    host = _start(scratch, "check", "--target", TARGETS / "kills_worker_for_name.py", "--python", "3.11",
                  "--cases", case_file(scratch.parent, *_cases()), "--jobs", "2", "--isolation", isolation,
                  "--json", report)
    out, err = host.communicate(timeout=120)
    assert host.returncode == 1, out + err
    data = json.loads(report.read_text())
    assert (data["passed"], data["failed"]) == (2, 1)
    (divergence,) = data["divergences"]
    assert divergence["case"]["id"] == "imports-q"
    target = divergence["target_observation"]
    assert (target["outcome"], target["detail"]) == ("crash", "worker killed by SIGKILL")
    assert target["phase"]  # how far the run got, as far as the host could tell
    # only the target's run is retried: it has workers of its own, the reference's run never shared its request
    assert data["crashed_runs"] == 1 and data["retried_runs"] == 1 and data["worker_restarts"] == 2
    assert "worker killed by SIGKILL" in out


def test_a_worker_that_stops_answering_is_replaced(cli, scratch, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(_protocol, "REPLY_GRACE", 1.0)
    monkeypatch.setattr(_protocol, "LOAD_GRACE", 1.0)
    report = scratch.parent / "report.json"
    result = cli("check", "--target", TARGETS / "stops_worker_for_name.py", "--python", "3.11", "--jobs", "1",
                 "--timeout", "0.5", "--cases", case_file(scratch.parent, *_cases()), "--json", report)
    assert result.code == 1, result.out + result.err
    data = json.loads(report.read_text())
    assert (data["passed"], data["failed"], data["worker_restarts"]) == (2, 1, 2)
    target = data["divergences"][0]["target_observation"]
    assert target["outcome"] == "timeout" and target["detail"].startswith("worker gave no reply within ")


def test_fuzz_finds_the_run_that_kills_its_worker_with_a_minimal_case(cli, scratch, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.chdir(tmp_path)  # a fresh example database
    report = tmp_path / "r.json"
    result = cli("fuzz", "--target", TARGETS / "kills_worker_for_name.py", "--python", "3.11", "--examples", "2000",
                 "--seed", "1", "--first", "--out", tmp_path / "out", "--json", report)
    assert result.code == 1, result.out[-3000:] + result.err
    (divergence,) = json.loads(report.read_text())["divergences"]
    assert len(divergence["case"].get("files", {})) <= 3 and len(divergence["case"]["steps"]) <= 3
    outcome = [d for d in divergence["differences"] if d["path"] == "outcome"]
    assert outcome and outcome[0]["target"] == "crash"
    assert "q" in json.dumps(divergence["case"])


@pytest.mark.parametrize("command, stop, code, said", [
    (["check", *SLOW_CHECK["fork"], "--jobs", "2"], signal.SIGTERM, 143, "terminated"),
    (["check", *SLOW_CHECK["subprocess"], "--jobs", "2"], signal.SIGTERM, 143, "terminated"),
    (["fuzz", "--target", "stdlib", "--python", "3.11", "--seconds", "60", "--jobs", "2"], signal.SIGTERM, 143,
     "terminated"),
    (["check", *SLOW_CHECK["fork"], "--jobs", "2"], signal.SIGINT, 130, "interrupted"),
], ids=["check-fork", "check-subprocess", "fuzz", "check-ctrl-c"])
def test_stopping_the_host_leaves_nothing_behind(scratch, command, stop, code, said):
    host = _start(scratch, *command)
    _once_running(scratch)
    host.send_signal(stop)
    out, err = host.communicate(timeout=60)
    assert host.returncode == code, out + err
    assert said in err and "Traceback" not in err


@pytest.mark.parametrize("isolation", ["fork", "subprocess"])
def test_sigterm_kills_a_hanging_run_and_what_it_forked(scratch, isolation):
    # The run's child lives in a process group of its own, and it forks a grandchild: both
    # must go with the host (they stay in the worker's session, which the host kills whole).
    source = "import os, time\nif os.fork() == 0:\n    time.sleep(300)\nwhile True: pass\n"
    cases = case_file(scratch.parent, {"id": "hangs", "files": {"m.py": source},
                                       "steps": [{"op": "import_module", "name": "m"}]})
    host = _start(scratch, "check", "--target", "stdlib", "--python", "3.11", "--cases", cases, "--jobs", "1",
                  "--timeout", "120", "--isolation", isolation)
    _once_running(scratch, 1.5)
    assert len(_leftovers(scratch)[1]) >= 4  # host, worker, run, grandchild
    host.send_signal(signal.SIGTERM)
    out, err = host.communicate(timeout=60)
    assert host.returncode == 143, out + err
