"""Get the current releases (CPython 3.14 and 3.15, PyPy 3.11) from Debian's unstable suite on a
Debian-like machine, without installing anything system-wide.

    python scripts/debian_interpreters.py [--cache DIR] [--only python3.14,python3.15,pypy3]

Asks the system's own apt, with a private configuration (its own lists, cache and status under
DIR) for the unstable suite on the mirror the machine already uses, for each interpreter's
package and the libraries it depends on; downloads them, unpacks them with `dpkg -x` into one
root under DIR and writes a launcher per interpreter in DIR/bin, which starts it through the
root's own dynamic loader and libraries. Unstable keeps only the newest build of each package:
the versions found are printed. Where this cannot work (no apt, no Debian mirror), one line says
why and the exit code is 0 (the rest of the suite runs without them); any other failure is one
line and exit 2. `python -m conformance interpreters` finds the launchers (DIR defaults to
.conformance_cache/interpreters).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from conformance._files import WriteError, write_text  # noqa: E402  (the repository's own, host side)

PACKAGES = {"python3.14": "usr/bin/python3.14", "python3.15": "usr/bin/python3.15", "pypy3": "usr/bin/pypy3"}
LAUNCHERS = {"python3.14": "python3.14", "python3.15": "python3.15", "pypy3": "pypy3.11"}
SKIPPED = {"debconf", "cdebconf", "libdebian-installer4", "libnewt0.52", "libslang2", "libtextwrap1"}
DEFAULT_CACHE = Path(".conformance_cache") / "interpreters"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


class Unavailable(Exception):
    """This machine cannot get them (not Debian, no apt, no mirror): said in one line, exit 0."""


def mirror() -> str:
    """The Debian mirror the machine's own apt sources name (never a host of ours)."""
    texts = []
    for path in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        try:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    for text in texts:
        for url in re.findall(r"(?:URIs:\s*|^deb\s+(?:\[[^\]]*\]\s+)?)(\S+)", text, re.M):
            if url.rstrip("/").endswith("/debian") and "security" not in url:
                return url.rstrip("/")
    raise Unavailable("no Debian mirror in /etc/apt's sources")


def apt(cache: Path, *args: str, capture: bool = False) -> str:
    state = cache / "apt"
    options = ["-o", "Dir::Etc::sourcelist=%s" % (state / "sources.list"), "-o", "Dir::Etc::sourceparts=-",
               "-o", "Dir::State=%s" % state, "-o", "Dir::State::status=%s" % (state / "status"),
               "-o", "Dir::Cache=%s" % (state / "cache"), "-o", "Debug::NoLocking=1", "-q"]
    done = subprocess.run([args[0], *options, *args[1:]], capture_output=True, text=True, cwd=str(cache / "debs"))
    if done.returncode != 0:
        raise RuntimeError("%s %s: %s" % (args[0], args[1], (done.stderr.strip().splitlines() or ["failed"])[-1]))
    return done.stdout


def dependencies(cache: Path, package: str) -> list[str]:
    """`package` and every package it needs, recursively (no recommends or suggestions)."""
    out = apt(cache, "apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
              "--no-breaks", "--no-replaces", "--no-enhances", package, capture=True)
    names = {line.strip() for line in out.splitlines() if line and not line.startswith(" ")}
    return sorted(name for name in names if not name.startswith("<") and name not in SKIPPED)


def launcher(root: Path, binary: str, cpython: bool) -> str:
    """A shell script that starts `binary` of `root` through the root's own loader and libraries."""
    loader = next((path for path in (root / "usr/lib64/ld-linux-x86-64.so.2", root / "lib64/ld-linux-x86-64.so.2")
                   if path.exists()), None)
    if loader is None:
        raise RuntimeError("%s: no dynamic loader was unpacked (libc6 missing?)" % root)
    lib = "%s/usr/lib/x86_64-linux-gnu:%s/lib/x86_64-linux-gnu" % (root, root)
    home = 'PYTHONHOME="%s/usr" ' % root if cpython else ""
    return ("#!/bin/sh\n# written by scripts/debian_interpreters.py: %s from Debian unstable, started through\n"
            "# its own dynamic loader and libraries\nexec env %s\"%s\" --library-path \"%s\" "
            "--argv0 \"$(readlink -f \"$0\")\" \"%s/%s\" \"$@\"\n" % (binary, home, loader, lib, root, binary))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default=str(DEFAULT_CACHE))
    parser.add_argument("--only", default=",".join(PACKAGES), help="comma-separated: %s" % ", ".join(PACKAGES))
    args = parser.parse_args()
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in PACKAGES]
    if unknown:
        print("debian_interpreters: --only: unknown package %r (known: %s)" % (unknown[0], ", ".join(PACKAGES)))
        return 2
    cache = Path(args.cache).absolute()
    try:
        if not (shutil.which("apt-get") and shutil.which("dpkg") and Path(KEYRING).exists()):
            raise Unavailable("not a Debian-like machine (apt-get, dpkg or Debian's keyring missing)")
        for directory in (cache / "apt" / "lists" / "partial", cache / "apt" / "cache" / "archives" / "partial",
                          cache / "debs", cache / "bin"):
            directory.mkdir(parents=True, exist_ok=True)
        write_text(cache / "apt" / "sources.list", "deb [signed-by=%s] %s unstable main\n" % (KEYRING, mirror()))
        (cache / "apt" / "status").touch()
        apt(cache, "apt-get", "update")
        root = cache / "root"
        for package in wanted:
            version = apt(cache, "apt-cache", "show", "--no-all-versions", package, capture=True)
            version = re.search(r"^Version: (\S+)", version, re.M).group(1)
            path = cache / "bin" / LAUNCHERS[package]
            marker = cache / "bin" / (".%s.version" % LAUNCHERS[package])
            if path.exists() and marker.exists() and marker.read_text() == version:
                print("%s %s: %s (unpacked before)" % (package, version, path))
                continue
            needed = dependencies(cache, package)
            apt(cache, "apt-get", "download", *needed)
            for deb in sorted((cache / "debs").glob("*.deb")):
                if deb.name.split("_")[0] in needed:
                    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
            # the launcher lives beside the binary (PyPy finds its library from its own path, which
            # the launcher gives it as argv0), and DIR/bin links to it
            script = root / "usr" / "bin" / (LAUNCHERS[package] + "-launcher")
            write_text(script, launcher(root, PACKAGES[package], package.startswith("python")), 0o755)
            if path.is_symlink() or path.exists():
                path.unlink()
            path.symlink_to(script)
            write_text(marker, version)  # the next run keeps what is unpacked while unstable has this version
            print("%s %s: %s" % (package, version, path))
    except Unavailable as why:
        print("debian_interpreters: skipped: %s" % why)
        return 0
    except (RuntimeError, OSError, WriteError, subprocess.CalledProcessError) as error:
        print("debian_interpreters: %s" % error)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
