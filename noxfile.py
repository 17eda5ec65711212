"""nox sessions: `nox -s tests` (the project's own tests), `nox -s conformance` (the catalogue
on every interpreter found, CPython 3.14, 3.15 and PyPy 3.11 fetched first where the machine can
(scripts/debian_interpreters.py), then a short fuzz; extra arguments go to `python -m conformance
check`), `nox -s fuzz` (a long campaign; extra arguments go to `python -m conformance fuzz`),
`nox -s hooks` (the real import hooks of hooks/ on an interpreter under test; extra arguments:
`--python X` (default 3.11) and `--fuzz-seconds N` (default 60))."""
import json
import re
import subprocess
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conformance._files import write_text  # noqa: E402  (the repository's own package, host side)
from conformance._versions import parse_version  # noqa: E402

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests"]
# Sessions run on the interpreter that runs nox (>= 3.10 for the host side);
# the interpreters under test need no virtualenv: the worker is stdlib-only.



def _debian_interpreters(session):
    """CPython 3.14 and 3.15 and PyPy 3.11 from Debian unstable, unpacked under
    .conformance_cache/interpreters (scripts/debian_interpreters.py; one line and nothing else
    where the machine cannot get them)."""
    session.run("python", "scripts/debian_interpreters.py")


def _npm_ci(session):
    """The npm packages of package.json (Pyodide), as the lock file pins them, unless present."""
    if not Path("node_modules").is_dir():
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)


@nox.session
def tests(session):
    session.install("-e", ".[test]")
    _npm_ci(session)
    _debian_interpreters(session)
    session.run("pytest", "-n", "auto", *session.posargs)


@nox.session
def conformance(session):
    """The catalogue on every interpreter found (extra arguments replace the default check
    arguments), then the results matrix of that run: Markdown and HTML under
    .conformance_cache/conformance/."""
    session.install("-e", ".")
    _npm_ci(session)
    _debian_interpreters(session)
    session.run("python", "-m", "conformance", "interpreters")
    out = Path(".conformance_cache") / "conformance"
    # every interpreter found and every runtime installed, each implementation's shipped
    # expectation file in force (each scoped to its implementation by its `python` globs)
    found = session.run("python", "-c", "from conformance._interpreters import discover, micropython, pyodides; "
                        "print(' '.join([i.path for i in discover()] + ['pyodide:' + i.runtime.split()[1] "
                        "for i in pyodides()] + (['micropython'] if micropython() else [])))",
                        silent=True).split()
    args = session.posargs or ["--target", "stdlib", "--reference", "expected", "--fuzz-seconds", "30",
                               *[arg for spec in found for arg in ("--python", spec)],
                               *[arg for name in ("pypy3.9", "pypy3.11", "pyodide", "micropython")
                                 for arg in ("--expectations", name)]]
    try:
        session.run("python", "-m", "conformance", "check", *args, "--json", str(out / "check.json"))
        failed = False
    except nox.command.CommandFailed:  # divergences: the matrix shows them, then the session fails
        failed = True
    if (out / "check.json").exists():
        session.run("python", "-m", "conformance", "matrix", str(out / "check.json"),
                    "--markdown", str(out / "matrix.md"), "--html", str(out / "matrix.html"))
        session.log("results matrix: %s" % (out / "matrix.html").absolute())
    if failed:
        session.error("the check failed (see above and the matrix)")


@nox.session
def fuzz(session):
    session.install("-e", ".")
    args = session.posargs or ["--target", "impl", "--seconds", "600"]
    session.run("python", "-m", "conformance", "fuzz", *args)


# The libraries of hooks/*.py, pinned: a finding names the version it was found with.
# Each with the Python versions its release supports (elsewhere its target is "not applicable").
HOOK_LIBRARIES = ["typeguard==4.6.1; python_version >= '3.10'", "beartype==0.23.1; python_version >= '3.10'",
                  "wrapt==2.5.2; python_version >= '3.9'", "editables==0.6", "six==1.17.0",
                  "pytest==9.2.0; python_version >= '3.10'", "hy==1.3.1; python_version >= '3.9'", "future==1.0.0",
                  "coconut==3.2.0", "ipython==9.19.1; python_version >= '3.11'",
                  "jaxtyping==0.3.11; python_version >= '3.11'", "lazy_loader==0.6; python_version >= '3.9'",
                  "demandimport==0.3.4; python_version < '3.12'", "scikit-build-core==1.1.2; python_version >= '3.9'"]
# A repro.py whose library cannot run on the interpreter exits with this code, the reason on stdout
NOT_APPLICABLE = 77


def _not_applicable(python, target):
    """Why a hook target cannot load on `python` (its library is not installed there, or imports a
    module that interpreter lacks), or None: its top level is run, with its directory on sys.path
    as the worker loads it (a target may import its neighbours); install() is not called."""
    probe = subprocess.run([python, "-c", "import os, runpy, sys; sys.path.insert(0, os.path.dirname(sys.argv[1])); "
                                          "runpy.run_path(sys.argv[1])", str(target.absolute())],
                           capture_output=True, text=True, timeout=300)
    lines = probe.stderr.strip().splitlines()
    if probe.returncode != 0 and lines and lines[-1].startswith(("ModuleNotFoundError", "ImportError")):
        return lines[-1]
    return None


@nox.session
def hooks(session):
    """Install the hooks' libraries into a virtual environment of the interpreter under test (never
    into the host), then run the catalogue and a fuzz budget against every target in hooks/; the
    reports go to .conformance_cache/hooks/<version>/. Then each confirmed finding's standalone
    script (reports/hooks/*/repro.py) runs there: repros.json says where each still reproduces.
    A target whose library cannot load there, and a script that exits 77, are "not applicable"
    on that interpreter (not-applicable.json, repros.json), not failures. summary.md: each target's
    counts, each repro's status. Divergences are the point: the session fails only if a run cannot
    be made (exit 2, or 3: a crash of the tool) or a repro disagrees with reports/hooks/README.md's
    "reproduces on" column."""
    session.install("-e", ".")
    args = list(session.posargs)
    version = args[args.index("--python") + 1] if "--python" in args else "3.11"
    seconds = args[args.index("--fuzz-seconds") + 1] if "--fuzz-seconds" in args else "60"
    base = json.loads(session.run("python", "-c", "import json; from conformance._interpreters import resolve; "
                                  "print(json.dumps(resolve(%r).path))" % version, silent=True).strip().splitlines()[-1])
    out = Path(".conformance_cache") / "hooks" / version
    venv = out / "venv"
    if not (venv / "bin" / "python").exists():
        session.run(base, "-m", "venv", str(venv), external=True)
    python = str((venv / "bin" / "python").absolute())
    session.run(python, "-m", "pip", "install", "-q", *HOOK_LIBRARIES, external=True)
    skipped = {}  # targets whose library cannot run here, and why
    for target in sorted(p for p in Path("hooks").glob("*.py") if not p.name.startswith("_")):
        name = target.stem
        reason = _not_applicable(python, target)
        if reason is not None:
            skipped[name] = reason
            for stale in (out / (name + ".check.json"), out / (name + ".fuzz.json")):
                stale.unlink(missing_ok=True)  # an earlier run's report would show in summary.md
            session.log("%s: not applicable on this interpreter (%s)" % (name, reason))
            continue
        for report, command in ((out / (name + ".check.json"), ["check"]),
                                (out / (name + ".fuzz.json"), ["fuzz", "--seconds", seconds, "--out",
                                                               str(out / "findings" / name)])):
            report.unlink(missing_ok=True)  # exit 1 is divergences found only if the report was written
            session.run("python", "-m", "conformance", *command, "--json", str(report), "--target", str(target),
                        "--python", python, success_codes=[0, 1])
            if not report.exists():
                session.error("%s on %s ended without its report (a crash of the tool: see above)" % (command[0], name))
    repros = {}  # each confirmed finding's standalone script, on this interpreter: still there?
    for repro in sorted(Path("reports/hooks").glob("*/repro.py")):
        done = subprocess.run([python, str(repro.absolute())], capture_output=True, text=True, cwd=str(out),
                              timeout=300)
        bug = done.returncode == 1 and "BUG" in done.stdout  # an uncaught exception exits 1 too
        last = (done.stderr.strip().splitlines() or [""])[-1]
        repros[repro.parent.name] = ("reproduces" if bug else "does not reproduce" if done.returncode == 0
                                     else "not applicable: %s" % done.stdout.strip()[-200:]
                                     if done.returncode == NOT_APPLICABLE
                                     else "not applicable: %s" % last  # its library is not installed here
                                     if not bug and last.startswith("ModuleNotFoundError")
                                     else "error (exit %d): %s" % (done.returncode, done.stderr.strip()[-200:]))
        session.log("%s: %s" % (repro.parent.name, repros[repro.parent.name]))
    write_text(out / "repros.json", json.dumps(repros, indent=1) + "\n")
    write_text(out / "not-applicable.json", json.dumps(skipped, indent=1) + "\n")
    running = session.run(python, "-c", "import platform; print(platform.python_version())",
                          silent=True, external=True).strip().splitlines()[-1]
    summary, disagreements = _hooks_summary(out, running, skipped, repros, _recorded_versions())
    write_text(out / "summary.md", summary)
    session.log("summary (%s):\n%s" % (out / "summary.md", summary))
    if disagreements:
        session.error("reports/hooks/README.md says otherwise: " + "; ".join(disagreements))
    session.log("reports and findings: %s; every repro agrees with reports/hooks/README.md" % out)


def _recorded_versions(readme=Path("reports/hooks/README.md")):
    """reports/hooks/README.md's table: each finding's folder -> the major.minor versions its
    "reproduces on" column names (a row's cells: folder, library, what happens, what the stdlib
    does, reproduces on, upstream)."""
    rows = {}
    for line in readme.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"`[^`]+/`", cells[0]):
            rows[cells[0].strip("`/")] = set(re.findall(r"\b3\.\d+", cells[4]))
    return rows


def _hooks_summary(out, version, skipped, repros, recorded):
    """A Markdown summary of a hooks run on `version` (each target's check and fuzz counts, each
    repro's status) and where it disagrees with the README's rows: a repro that reproduces on a
    version its row does not name, or does not where it names it, or a folder without a row."""
    minor = ".".join(version.split(".")[:2])
    lines = ["# nox -s hooks on CPython %s" % version, "", "| target | cases passed | failed | errors | fuzz findings |",
             "| --- | --- | --- | --- | --- |"]
    for check in sorted(out.glob("*.check.json")):
        name = check.name[:-len(".check.json")]
        report = json.loads(check.read_text())
        fuzz = out / (name + ".fuzz.json")
        found = len(json.loads(fuzz.read_text())["divergences"]) if fuzz.exists() else "-"
        lines.append("| %s | %d | %d | %d | %s |" % (name, report["passed"], report["failed"], len(report["errors"]), found))
    lines += ["| %s | not applicable: %s | | | |" % (name, reason) for name, reason in sorted(skipped.items())]
    lines += ["", "| finding | here | README names |", "| --- | --- | --- |"]
    disagreements = []
    for folder, status in sorted(repros.items()):
        named = recorded.get(folder)
        lines.append("| %s | %s | %s |" % (folder, status, ", ".join(sorted(named, key=parse_version)) if named else "no row"))
        if named is None:
            disagreements.append("%s has no row" % folder)
        elif (status == "reproduces") != (minor in named):
            disagreements.append("%s %s on %s" % (folder, status, version))
    disagreements += ["row %s has no repro.py" % folder for folder in sorted(set(recorded) - set(repros))]
    return "\n".join(lines) + "\n", disagreements
