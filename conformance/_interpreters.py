"""Interpreters under test: discovery on PATH and under pyenv, the runtimes that are not native
executables (Pyodide and MicroPython under Node: conformance/_runtimes.py finds them) as
interpreters, and resolution of user specs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conformance._runtimes import installed as installed_runtimes
from conformance._versions import is_version, parse_version

__all__ = ["Interpreter", "InterpreterError", "discover", "micropython", "probe", "pyodides", "resolve",
           "resolve_pyodide"]

MINIMUM = (3, 8)  # the worker is Python 3.8 syntax
_PROBE = ("import json, sys; print(json.dumps([sys.executable, sys.implementation.name,"
          " list(sys.version_info[:3])]))")


class InterpreterError(Exception):
    """A named interpreter is missing, broken or too old."""


@dataclass(frozen=True)
class Interpreter:
    """An interpreter the worker can run in: a native executable, or a runtime (`runtime`,
    e.g. "pyodide 0.28.3") that a launcher (`launcher`: the command that starts its worker)
    drives; `path` is then the runtime's package directory."""

    path: str
    implementation: str
    version: tuple[int, int, int]
    runtime: str = "native"
    launcher: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.implementation == "micropython":  # its own version, not the language's (3.4)
            return self.runtime
        text = "%s %s" % (self.implementation, ".".join(map(str, self.version)))
        return text if self.native else "%s (%s)" % (text, self.runtime)

    @property
    def native(self) -> bool:
        return self.runtime == "native"

    def to_json(self) -> dict:
        return {"path": self.path, "implementation": self.implementation,
                "version": ".".join(map(str, self.version)), "runtime": self.runtime}


def probe(path: str) -> Interpreter | None:
    """Ask an executable what it is; None if it does not run as a Python."""
    try:
        out = subprocess.run([path, "-s", "-c", _PROBE], capture_output=True, text=True,
                             timeout=20, env=_clean_env())
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        _executable, implementation, version = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    # not resolved: a virtual environment's python is a link to its base interpreter, and run
    # through the link it has the environment's packages (an import hook's library, say)
    return Interpreter(os.path.abspath(path), implementation, tuple(version))


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def pyenv_versions_dir() -> Path | None:
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    versions = Path(root) / "versions"
    if versions.is_dir():
        return versions
    pyenv = shutil.which("pyenv")
    if pyenv:
        out = subprocess.run([pyenv, "root"], capture_output=True, text=True)
        candidate = Path(out.stdout.strip()) / "versions"
        if candidate.is_dir():
            return candidate
    return None


def launcher_dirs() -> list[Path]:
    """Where scripts/debian_interpreters.py writes its launchers: .conformance_cache/interpreters/bin
    under the working directory and under the project's, or $CONFORMANCE_INTERPRETERS/bin."""
    bases = [Path(os.environ["CONFORMANCE_INTERPRETERS"])] if os.environ.get("CONFORMANCE_INTERPRETERS") else [
        Path.cwd() / ".conformance_cache" / "interpreters", Path(__file__).resolve().parent.parent / ".conformance_cache"
        / "interpreters"]
    return list(dict.fromkeys(base / "bin" for base in bases if (base / "bin").is_dir()))


def _candidates() -> list[str]:
    found = []
    names = ["python3", "pypy3"] + ["python3.%d" % minor for minor in range(8, 20)]
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or "shims" in Path(directory).parts:
            continue  # pyenv shims fail unless a version is selected; versions/ is read below
        for name in names:
            path = Path(directory) / name
            if path.is_file() and os.access(path, os.X_OK):
                found.append(str(path))
    for directory in launcher_dirs():  # scripts/debian_interpreters.py's launchers
        found += [str(path) for path in sorted(directory.iterdir()) if os.access(path, os.X_OK)]
    versions = pyenv_versions_dir()
    if versions:
        for entry in sorted(versions.iterdir()):
            for name in ("python", "pypy3"):
                path = entry / "bin" / name
                if path.exists():
                    found.append(str(path))
                    break
    return found


def discover() -> list[Interpreter]:
    """Every distinct interpreter >= 3.8 found on PATH, under pyenv and among the launchers of
    scripts/debian_interpreters.py, oldest first."""
    seen: dict[str, Interpreter] = {}
    for path in _candidates():
        real = str(Path(path).resolve())
        if real in seen:
            continue
        interpreter = probe(path)
        if interpreter and interpreter.version[:2] >= MINIMUM:
            seen[real] = interpreter
    unique: dict[tuple, Interpreter] = {}
    for interpreter in seen.values():
        unique.setdefault((interpreter.implementation, interpreter.version), interpreter)
    return sorted(unique.values(), key=lambda i: (i.implementation != "cpython", i.version))


def resolve(spec: str, discovered: list[Interpreter] | None = None) -> Interpreter:
    """An interpreter from a path, a command name, a version such as '3.8' or 'pypy3', or a
    runtime: 'pyodide' (the newest installed) or 'pyodide:VERSION' (0.27, 0.28.3, 314...)."""
    if spec == "pyodide" or spec.startswith("pyodide:"):
        return resolve_pyodide(spec)
    if spec == "micropython":
        found = micropython()
        if found is None:
            raise InterpreterError(_not_installed("micropython"))
        return found
    if os.sep in spec or Path(spec).is_file():
        interpreter = probe(spec)
        if interpreter is None:
            raise InterpreterError(f"--python {spec}: not a working Python interpreter")
    elif is_version(spec):
        wanted = parse_version(spec)
        matches = [i for i in (discovered if discovered is not None else discover())
                   if i.implementation == "cpython" and i.version[:len(wanted)] == wanted]
        if not matches:
            raise InterpreterError(f"--python {spec}: no CPython {spec} found on PATH or under pyenv")
        interpreter = matches[-1]
    else:  # a command: on PATH, or a launcher of scripts/debian_interpreters.py (pypy3.11)
        path = shutil.which(spec) or next((str(d / spec) for d in launcher_dirs() if (d / spec).is_file()), None)
        interpreter = probe(path) if path else None
        if interpreter is None:
            raise InterpreterError(f"--python {spec}: no such interpreter on PATH or among the launchers "
                                   "of scripts/debian_interpreters.py")
    if interpreter.version[:2] < MINIMUM:
        raise InterpreterError(f"--python {spec}: {interpreter.label} is older than 3.8")
    return interpreter


# -- runtimes: Pyodide and MicroPython under Node (conformance/_runtimes.py) ----------------
def pyodides() -> list[Interpreter]:
    """The Pyodide versions installed (a checkout's node_modules, the per-user cache), oldest
    first; none without Node."""
    return [Interpreter(str(r.package), "cpython", r.python, "pyodide " + r.version, r.launcher)
            for r in installed_runtimes() if r.kind == "pyodide"]


def _not_installed(spec: str) -> str:
    return ("--python %s: not installed (needs node; then `python -m conformance runtimes install`, or `npm ci` "
            "in a checkout)" % spec)


def resolve_pyodide(spec: str) -> Interpreter:
    """'pyodide' (the newest installed) or 'pyodide:VERSION', a prefix of the Pyodide version
    (0.27, 0.28.3, 314) or of its Python's (3.13)."""
    installed = pyodides()
    if not installed:
        raise InterpreterError(_not_installed(spec))
    wanted = spec.partition(":")[2]
    if not wanted:
        return installed[-1]
    for interpreter in reversed(installed):
        pyodide = interpreter.runtime.split()[1]
        python = ".".join(map(str, interpreter.version))
        if any(v == wanted or v.startswith(wanted + ".") for v in (pyodide, python)):
            return interpreter
    raise InterpreterError("--python %s: not installed; installed: %s" % (
        spec, ", ".join(i.runtime for i in installed)))


def micropython() -> Interpreter | None:
    """MicroPython's WebAssembly port, if installed (and Node is there): its own small worker
    (conformance/_launchers/micropython_worker.py) for the part of the case format it can express;
    compared with the newest CPython recordings, its profile of what it has not set aside."""
    for runtime in installed_runtimes():
        if runtime.kind == "micropython":
            return Interpreter(str(runtime.package), "micropython", runtime.python, "micropython " + runtime.version,
                               runtime.launcher)
    return None
