"""Nothing a user wrote is lost (docs/usage.md, "What is guaranteed when writing"): real faults, not
mocks of open: a file-size limit (EFBIG), a full file system and a directory where nothing can be created, each while a
command rewrites a file the user keeps (an expectation file, recordings), and `kill -9` of `record`
at random moments. After each, the earlier file is byte for byte intact (or the new one complete),
and the command said what happened in one line, with exit 2."""
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

CASES = REPO / "conformance" / "catalogue" / "circular.json"
OLD_REASON = "a reason that took an hour of triage: " + "what was tried, and why it differs. " * 1500  # 54 kB


def _run(args, cwd, limit_bytes=None, timeout=300):
    """`python -m conformance ARGS` in a child process; with limit_bytes, files it writes may
    not grow past that size (RLIMIT_FSIZE; SIGXFSZ ignored, so a write fails with EFBIG)."""
    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "conformance", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout,
                          preexec_fn=limited if limit_bytes else None)


def _one_line_naming(done, path):
    """Exit 2, and one error line naming the file (progress lines aside), no traceback."""
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert len(errors) == 1 and path.name in errors[0] and "Traceback" not in done.stderr, done.stderr


@pytest.fixture
def broken_case(tmp_path):
    """A case file whose one case diverges from its recording (so --update-expectations writes
    an entry), and an expectation file naming it with a hand-written reason."""
    data = json.loads(CASES.read_text())
    case = data["cases"][0]
    (tmp_path / "cases.json").write_text(json.dumps({"format": 1, "cases": [case]}))
    recorded = json.loads((CASES.parent / "expected" / CASES.name).read_text())
    groups = recorded["expected"][case["id"]]
    for group in groups:
        group["steps"][0]["executed"] = ["not what happens"]
    (tmp_path / "expected").mkdir()
    (tmp_path / "expected" / "cases.json").write_text(json.dumps({"format": 1, "expected": {case["id"]: groups}}))
    expectations = tmp_path / "pypy.toml"
    expectations.write_text('[[expect]]\ncase = "%s"\nstatus = "fail"\nfields = ["steps[0].executed"]\n'
                            'reason = "%s"\n' % (case["id"], OLD_REASON))
    return tmp_path, expectations


def test_a_file_size_limit_leaves_the_expectation_file_as_it_was(broken_case):
    directory, expectations = broken_case
    before = expectations.read_bytes()
    done = _run(["check", "--target", "stdlib", "--python", "3.11", "--cases", "cases.json", "--reference", "expected",
                 "--update-expectations", expectations.name], directory, limit_bytes=20000)
    # (the workers' own files, a case's sources and observations, stay far below 20 kB)
    _one_line_naming(done, expectations)
    assert "File too large" in done.stderr
    assert expectations.read_bytes() == before
    assert [p.name for p in directory.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_a_full_file_system_leaves_the_expectation_file_as_it_was(broken_case):
    """A 96 kB file system (tmpfs, in a mount namespace of its own: `unshare`) holding the 54 kB
    expectation file: its rewrite finds no space."""
    directory, expectations = broken_case
    before = expectations.read_bytes()
    small = directory / "small"
    small.mkdir()
    script = ('mount -t tmpfs -o size=96k tmpfs "$1" && cp "$2" "$1/pypy.toml" && "$3" -m conformance check '
              '--target stdlib --python 3.11 --cases cases.json --reference expected '
              '--update-expectations "$1/pypy.toml"; code=$?; cp "$1/pypy.toml" "$2.after"; exit $code')
    namespace = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "--map-root-user", "--mount"]
    done = subprocess.run([*namespace, "sh", "-c", script, "sh", str(small), str(expectations), sys.executable],
                          cwd=directory, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True,
                          text=True, timeout=300)
    _one_line_naming(done, expectations)
    assert "No space left on device" in done.stderr
    assert (directory / "pypy.toml.after").read_bytes() == before


def _undeletable(directory):
    """Make `directory` a place where no file can be created, even by root (the immutable flag);
    where that is not possible, read-only permissions (enough for a user other than root)."""
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(directory)], capture_output=True)
        assert done.returncode == 0, "chattr +i refused here: %s" % done.stderr
        return lambda: subprocess.run(["chattr", "-i", str(directory)], check=True)
    directory.chmod(0o555)
    return lambda: directory.chmod(0o755)


def test_a_directory_nothing_can_be_created_in_leaves_the_recordings_as_they_were(tmp_path):
    shutil.copy(CASES, tmp_path / "circular.json")
    shutil.copytree(CASES.parent / "expected", tmp_path / "expected", ignore=lambda d, names: [
        n for n in names if n != "circular.json"])
    sidecar = tmp_path / "expected" / "circular.json"
    before = sidecar.read_bytes()
    restore = _undeletable(tmp_path / "expected")
    try:
        done = _run(["record", "--python", "3.8", "--cases", "circular.json"], tmp_path)
    finally:
        restore()
    _one_line_naming(done, sidecar)
    assert sidecar.read_bytes() == before


def test_kill_9_of_record_leaves_each_recording_whole(tmp_path):
    shutil.copy(CASES, tmp_path / "circular.json")
    (tmp_path / "expected").mkdir()
    sidecar = tmp_path / "expected" / "circular.json"
    sidecar.write_text(json.dumps({"format": 1, "expected": {}}) + "\n")
    versions = [sidecar.read_bytes()]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    chance = random.Random(26)
    for attempt in range(6):
        process = subprocess.Popen([sys.executable, "-m", "conformance", "record", "--python", "3.8",
                                    "--python", "3.13", "--cases", "circular.json"], cwd=tmp_path, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(chance.uniform(0.5, 4.0))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        now = sidecar.read_bytes()
        data = json.loads(now)  # whole: the old file or a complete new one
        assert data["format"] == 1 and isinstance(data["expected"], dict), attempt
        assert now in versions or set(data["expected"]) == {c["id"] for c in json.loads(CASES.read_text())["cases"]}
        versions.append(now)


def test_two_campaigns_at_once_on_one_out_directory_leave_every_finding_whole(tmp_path):
    target = REPO / "tests" / "targets" / "mutant_reload_type.py"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    campaigns = [subprocess.Popen([sys.executable, "-m", "conformance", "fuzz", "--target", target, "--python", "3.11",
                                   "--seconds", "15", "--seed", str(seed), "--jobs", "1", "--out", "findings"],
                                  cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for seed in (1, 2)]
    for campaign in campaigns:
        out, err = campaign.communicate(timeout=300)
        assert campaign.returncode == 1 and "Traceback" not in err, (out[-2000:], err[-2000:])
    findings = sorted(p for p in (tmp_path / "findings").iterdir())
    assert findings and all(not p.name.startswith(".") for p in findings)  # no temporary left behind
    for finding in findings:
        assert {"case.json", "repro.py", "report.md"} <= {p.name for p in finding.iterdir()}
        done = _run(["check", "--target", target, "--python", "3.11", "--cases", finding / "case.json"], tmp_path)
        assert done.returncode == 1 and "DIVERGENCE" in done.stdout, (finding, done.stdout[-2000:], done.stderr)


# -- interrupted in the middle of a write ------------------------------------------------------
# Every fsync the command makes is held 3 s (strace injects the delay), and the signal is sent the
# moment the writing begins: a temporary file appears beside the file, or the file itself changes.
# A finished temporary waits in its fsync, before it replaces the file, however busy the machine,
# so the interruption falls inside the write every time. (A plain write has no fsync: it finishes,
# the file changes or the command ends first, and the test fails, as it should.)
HOLD = ["strace", "-f", "-qq", "-o", os.devnull, "-e", "trace=fsync,fdatasync",
        "-e", "inject=fsync,fdatasync:delay_enter=3000000"]


def _interrupted(args, cwd, path, signum):
    """Run `python -m conformance ARGS` with its fsyncs held, send `signum` to its process group
    when the writing of `path` begins; returns (the finished process, its stderr)."""
    if shutil.which("strace") is None:
        pytest.fail("strace is needed (.ci/run installs it)")
    process = subprocess.Popen([*HOLD, sys.executable, "-m", "conformance", *map(str, args)],
                               cwd=cwd, env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)

    def state():
        try:
            found = os.stat(path)
        except FileNotFoundError:
            return None
        return found.st_ino, found.st_size, found.st_mtime_ns

    first, prefix, deadline = state(), "." + path.name + ".", time.monotonic() + 240
    while process.poll() is None and time.monotonic() < deadline:
        if state() != first or any(name.startswith(prefix) for name in os.listdir(path.parent)):
            os.killpg(process.pid, signum)
            break
    else:
        process.kill()
        pytest.fail("the command ended (or hung) without writing %s" % path)
    _, err = process.communicate(timeout=120)
    return process, err


def test_kill_9_in_the_middle_of_writing_a_recording_leaves_it_as_it_was(tmp_path):
    shutil.copy(CASES, tmp_path / "circular.json")
    (tmp_path / "expected").mkdir()
    sidecar = tmp_path / "expected" / "circular.json"
    sidecar.write_text(json.dumps({"format": 1, "expected": {}, "note": "recorded by hand"}) + "\n")
    before = sidecar.read_bytes()
    _interrupted(["record", "--python", "3.13", "--cases", "circular.json"], tmp_path, sidecar, signal.SIGKILL)
    assert sidecar.read_bytes() == before


@pytest.mark.parametrize("signum, code, word", [(signal.SIGTERM, 143, "terminated"),
                                                (signal.SIGINT, 130, "interrupted")])
def test_sigterm_or_ctrl_c_while_expectations_are_written_leaves_them_whole(broken_case, signum, code, word):
    directory, expectations = broken_case
    before = expectations.read_bytes()
    process, err = _interrupted(["check", "--target", "stdlib", "--python", "3.11", "--cases", "cases.json",
                                 "--reference", "expected", "--update-expectations", expectations.name],
                                directory, expectations, signum)
    now = expectations.read_bytes()
    assert now == before or (now.startswith(before[:200]) and b"steps[0].executed" in now), now[:300]
    assert [p.name for p in directory.iterdir() if p.name.startswith(".")] == []  # its temporary removed
    assert process.returncode == code and err.strip().splitlines()[-1] == word and "Traceback" not in err, err
