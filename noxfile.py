"""nox sessions: `nox -s tests` (the project's own tests), `nox -s conformance` (the catalogue
on every interpreter found, then a short fuzz; extra arguments go to `python -m conformance
check`), `nox -s fuzz` (a long campaign; extra arguments go to `python -m conformance fuzz`)."""
import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests"]
# Sessions run on the interpreter that runs nox (>= 3.10 for the host side);
# the interpreters under test need no virtualenv: the worker is stdlib-only.



@nox.session
def tests(session):
    session.install("-e", ".[test]")
    session.run("pytest", "-n", "auto", *session.posargs)


@nox.session
def conformance(session):
    session.install("-e", ".")
    session.run("python", "-m", "conformance", "interpreters")
    args = session.posargs or ["--target", "stdlib", "--reference", "expected", "--fuzz-seconds", "30"]
    session.run("python", "-m", "conformance", "check", *args)


@nox.session
def fuzz(session):
    session.install("-e", ".")
    args = session.posargs or ["--target", "impl", "--seconds", "600"]
    session.run("python", "-m", "conformance", "fuzz", *args)
