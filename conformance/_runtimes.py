"""The runtimes that are not native executables: Pyodide (CPython compiled to WebAssembly) and
MicroPython's WebAssembly port, run under the machine's Node through the launchers in
conformance/_launchers/. Their npm packages are pinned by the project's package.json and lock
(shipped in the package as conformance/_npm/), installed either in a checkout (`npm ci`: its
node_modules/) or, for an installed tool, by `python -m conformance runtimes install` into a
per-user cache (`$XDG_CACHE_HOME/importlib-conformance/runtimes`, ~/.cache by default).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conformance._files import write_text
from conformance._versions import parse_version

__all__ = ["KINDS", "Runtime", "RuntimeInstallError", "cache_dir", "install", "installed", "searched"]

KINDS = ("pyodide", "micropython")
_HERE = Path(__file__).resolve().parent
_CHECKOUT = _HERE.parent  # a checkout's root, where `npm ci` puts node_modules/ (site-packages when installed)
_NPM = Path(__file__).parent / "_npm"  # package.json and package-lock.json (the checkout's own, linked)
_LAUNCHERS = {"pyodide": _HERE / "_launchers" / "pyodide_launcher.mjs",
              "micropython": _HERE / "_launchers" / "micropython_launcher.mjs"}
_MICROPYTHON = Path("@micropython") / "micropython-webassembly-pyscript"


class RuntimeInstallError(Exception):
    """Runtimes cannot be installed here (no Node or npm, npm failed); one line saying why."""


@dataclass(frozen=True)
class Runtime:
    """An installed runtime: its npm package directory and version, the Python version it
    implements, and the command that starts a worker in it."""

    kind: str
    package: Path
    version: str
    python: tuple[int, int, int]
    launcher: tuple[str, ...]


def cache_dir() -> Path:
    """Where `runtimes install` puts the runtimes (XDG base directories)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "importlib-conformance" / "runtimes"


def searched() -> list[Path]:
    """The node_modules directories runtimes are looked for in, first found first used: a
    checkout's, then the per-user cache's."""
    return [_CHECKOUT / "node_modules", cache_dir() / "node_modules"]


def installed() -> list[Runtime]:
    """The runtimes installed where searched() looks (none without Node): each Pyodide version
    once, oldest first, then MicroPython."""
    node = shutil.which("node")
    if node is None:
        return []
    pyodides, micropython = {}, None
    for modules in searched():
        for package in sorted(modules.glob("pyodide-*")):
            try:
                version = json.loads((package / "package.json").read_text())["version"]
                python = json.loads((package / "pyodide-lock.json").read_text())["info"]["python"]
            except (OSError, KeyError, ValueError):
                continue
            launcher = (node, str(_LAUNCHERS["pyodide"]), "--package", str(package.resolve()), "--root",
                        str(_CHECKOUT))
            pyodides.setdefault(version, Runtime("pyodide", package.resolve(), version, parse_version(python),
                                                 launcher))
        package = modules / _MICROPYTHON
        if micropython is None and (package / "package.json").is_file():
            try:
                version = json.loads((package / "package.json").read_text())["version"]
            except (OSError, KeyError, ValueError):
                continue
            micropython = Runtime("micropython", package, version, (3, 4, 0),
                                  (node, str(_LAUNCHERS["micropython"]), "--package", str(package)))
    found = sorted(pyodides.values(), key=lambda r: r.python)
    return found + ([micropython] if micropython else [])


def install(progress=print) -> list[Runtime]:
    """`npm ci` of the shipped package.json and lock into cache_dir(): every runtime they pin
    (Pyodide 0.27, 0.28 and 314, MicroPython: about 40 MB); returns what is then installed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise RuntimeInstallError("runtimes install: needs Node.js 18 or later and npm (%s missing): install them "
                            "(https://nodejs.org, or your system's nodejs and npm packages)"
                            % " and ".join(n for n, p in (("node", node), ("npm", npm)) if p is None))
    target = cache_dir()
    for name in ("package.json", "package-lock.json"):
        write_text(target / name, (_NPM / name).read_text(encoding="utf-8"))
    progress("runtimes install: npm ci in %s" % target)
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=str(target), capture_output=True, text=True)
    if done.returncode:
        last = (done.stderr.strip() or done.stdout.strip() or "exit %d" % done.returncode).splitlines()[-1]
        raise RuntimeInstallError("runtimes install: npm ci in %s failed: %s" % (target, last))
    return installed()
