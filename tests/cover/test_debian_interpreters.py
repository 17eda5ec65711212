"""scripts/debian_interpreters.py where it cannot work, and with a bad option: one line each, and
the exit code that lets the rest of the suite run (0) or names the mistake (2)."""
import subprocess
import sys

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "debian_interpreters.py"


def _run(tmp_path, *args, path="/nonexistent"):
    return subprocess.run([sys.executable, str(SCRIPT), "--cache", str(tmp_path / "c"), *args], capture_output=True,
                          text=True, env={"PATH": path}, timeout=60)


def test_without_apt_it_says_so_in_one_line_and_lets_the_suite_run(tmp_path):
    done = _run(tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == "debian_interpreters: skipped: not a Debian-like machine (apt-get, dpkg or Debian's " \
                          "keyring missing)\n"


def test_an_unknown_package_is_a_usage_error(tmp_path):
    done = _run(tmp_path, "--only", "python3.99")
    assert done.returncode == 2 and done.stdout.count("\n") == 1 and "unknown package 'python3.99'" in done.stdout
