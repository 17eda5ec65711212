"""The tool as people install it: the wheel holds one package and every file the commands use,
and the installed tool, in a fresh virtual environment outside the checkout, runs from another
directory: check on CPython, PyPy with a shipped expectation file named, the runtimes installed
into a per-user cache and a Pyodide check, the pytest plugin, a short fuzz campaign."""
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(REPO)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    (found,) = out.glob("importlib_conformance-*.whl")
    return found


def test_the_wheel_holds_one_package_and_every_file_the_commands_use(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {"conformance"}
    shipped = {"conformance/_launchers/pyodide_launcher.mjs", "conformance/_launchers/pyodide_thread.mjs",
               "conformance/_launchers/micropython_launcher.mjs", "conformance/_launchers/micropython_worker.py",
               "conformance/_npm/package.json", "conformance/_npm/package-lock.json",
               "conformance/impl/__init__.py", "conformance/reports/__init__.py", "conformance/strategies/__init__.py"}
    for folder, pattern in (("expectations", "*.toml"), ("conformance/schemas", "*.json"),
                            ("conformance/catalogue", "*.json"), ("conformance/catalogue/expected", "*.json"),
                            ("impl", "*.py"), ("reports", "*.py"), ("strategies", "*.py"), ("conformance/_worker", "*.py")):
        for path in (REPO / folder).glob(pattern):
            inside = path.relative_to(REPO).as_posix()
            shipped.add(inside if inside.startswith("conformance/") else "conformance/" + inside)
    assert shipped - names == set()
    assert not [name for name in names if "/hooks/" in name or name.startswith(("tests/", "benchmarks/"))]
    # the package's files are the checkout's (the links in conformance/ followed)
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("conformance/impl/_bytecode.py") == (REPO / "impl" / "_bytecode.py").read_bytes()
        assert archive.read("conformance/_npm/package-lock.json") == (REPO / "package-lock.json").read_bytes()


def test_the_sdist_holds_what_the_wheel_holds(wheel, tmp_path):
    done = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                           "print(build_meta.build_sdist(sys.argv[1]))", str(tmp_path)], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    with tarfile.open(tmp_path / done.stdout.split()[-1]) as archive:
        members = archive.getmembers()
    assert not [m.name for m in members if m.issym() or m.islnk()]  # the links followed: real files
    in_sdist = {m.name.split("/", 1)[1] for m in members if m.isfile() and "/conformance/" in "/" + m.name}
    in_wheel = {n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("conformance/")}
    assert in_wheel - in_sdist == set()


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A fresh virtual environment with the wheel (and pytest, for the plugin) installed; the
    commands run from a directory of their own, with a per-user cache of their own."""
    home = tmp_path_factory.mktemp("installed")
    subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True, timeout=300)
    python = home / "venv" / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel), "pytest"], capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    work = home / "work"
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["XDG_CACHE_HOME"] = str(home / "cache")

    def run(*args, timeout=600):
        done = subprocess.run([str(python), *map(str, args)], cwd=work, env=env, capture_output=True, text=True,
                              timeout=timeout)
        return done.returncode, done.stdout + done.stderr

    return run, work


def test_the_installed_tool_checks_cpython_and_pypy_by_name(installed):
    run, work = installed
    code, out = run("-c", "import conformance, sys; print(conformance.__file__)")
    assert code == 0 and "site-packages" in out and str(REPO) not in out, out
    code, out = run("-m", "conformance", "check", "--target", "impl", "--python", "3.11")
    assert code == 0 and " passed, 0 failed" in out, out[-3000:]
    code, out = run("-m", "conformance", "check", "--target", "stdlib", "--reference", "expected", "--python", "pypy3",
                    "--expectations", "pypy3.9")
    assert code == 0 and "10 expected failures" in out, out[-3000:]


def test_the_installed_tool_installs_the_runtimes_and_checks_pyodide(installed):
    run, work = installed
    code, out = run("-m", "conformance", "runtimes", "install", "pyodide", timeout=900)
    assert code == 0 and "pyodide-314" in out and str(work.parent / "cache") in out, out[-3000:]
    code, out = run("-m", "conformance", "check", "--target", "stdlib", "--reference", "expected",
                    "--python", "pyodide", "--expectations", "pyodide")
    # the shipped file's two platform differences: wasm32's sys.maxsize, WASI's errno numbers
    assert code == 0 and "(pyodide 314" in out and "2 expected failures" in out, out[-3000:]


def test_the_installed_plugin_and_a_short_campaign(installed):
    run, work = installed
    code, out = run("-m", "pytest", "-p", "no:cacheprovider", "-q", "--conformance-target", "stdlib",
                    "--conformance-python", "3.11")
    assert code == 0 and " passed" in out and "failed" not in out, out[-3000:]
    code, out = run("-m", "conformance", "fuzz", "--target", "impl", "--python", "3.11", "--seconds", "10")
    assert code == 0 and "cases in" in out and "0 distinct divergences" in out, out[-3000:]
    assert not (Path(work) / "findings").exists() or not any((Path(work) / "findings").iterdir())
