"""Runtimes that are not native executables: Pyodide (CPython compiled to WebAssembly), run under
the machine's Node from the npm packages the project's package.json pins (`npm ci` installs them
into node_modules/), through the Node launcher in conformance/_launchers/."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from conformance._interpreters import Interpreter, InterpreterError

__all__ = ["micropython", "pyodides", "resolve_pyodide"]

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
LAUNCHER = Path(__file__).resolve().parent / "_launchers" / "pyodide_launcher.mjs"
MICROPYTHON = NODE_MODULES / "@micropython" / "micropython-webassembly-pyscript"
MICROPYTHON_LAUNCHER = Path(__file__).resolve().parent / "_launchers" / "micropython_launcher.mjs"


def pyodides() -> list[Interpreter]:
    """The Pyodide packages installed in node_modules (npm aliases pyodide-*), oldest first;
    none without Node."""
    node = shutil.which("node")
    if node is None or not NODE_MODULES.is_dir():
        return []
    found = []
    for package in sorted(NODE_MODULES.glob("pyodide-*")):
        try:
            version = json.loads((package / "package.json").read_text())["version"]
            python = json.loads((package / "pyodide-lock.json").read_text())["info"]["python"]
        except (OSError, KeyError, ValueError):
            continue
        launcher = (node, str(LAUNCHER), "--package", str(package.resolve()), "--root", str(ROOT))
        found.append(Interpreter(str(package.resolve()), "cpython", tuple(int(p) for p in python.split(".")),
                                 "pyodide " + version, launcher))
    return sorted(found, key=lambda i: i.version)


def resolve_pyodide(spec: str) -> Interpreter:
    """'pyodide' (the newest installed) or 'pyodide:VERSION', a prefix of the Pyodide version
    (0.27, 0.28.3, 314) or of its Python's (3.13)."""
    installed = pyodides()
    if not installed:
        raise InterpreterError("--python %s: no Pyodide installed (needs node, and `npm ci` in %s)" % (spec, ROOT))
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
    node = shutil.which("node")
    if node is None or not (MICROPYTHON / "package.json").is_file():
        return None
    version = json.loads((MICROPYTHON / "package.json").read_text())["version"]
    return Interpreter(str(MICROPYTHON), "micropython", (3, 4, 0), "micropython " + version,
                       (node, str(MICROPYTHON_LAUNCHER), "--package", str(MICROPYTHON)))
