"""What the worker sets up as it starts and every run's process inherits: the project's directory
on sys.path (the worker imports itself from there; no case may see it) and, when
CONFORMANCE_COVERAGE asks for it, coverage.py tracing.

Runs inside the interpreter under test: stdlib only, Python 3.8 syntax.
"""
import os
import sys

from conformance._worker import targets

__all__ = ["Startup"]


class Startup(object):
    """`root`: the project's directory if the worker put it on sys.path (else None), taken off
    again in each run's process; `coverage`: a started coverage.Coverage, or None."""

    def __init__(self, root=None):
        self.root = root
        self.coverage = _start_coverage()

    def hide_root(self):
        """The project's directory leaves sys.path for the case (the worker put it there)."""
        if self.root is not None and self.root in sys.path:
            sys.path.remove(self.root)

    def case_begins(self):
        """What coverage.py traces from now on belongs to the case (context "case"), not to
        loading the target (the default context)."""
        if self.coverage is not None:
            self.coverage.switch_context("case")

    def save_coverage(self):
        """Each isolated run saves its own coverage data file in CONFORMANCE_COVERAGE."""
        if self.coverage is None:
            return
        import coverage

        self.coverage.stop()
        data = coverage.CoverageData(
            basename=os.path.join(os.environ["CONFORMANCE_COVERAGE"], ".coverage"),
            suffix="run-%d" % os.getpid())
        data.update(self.coverage.get_data())
        data.write()


def _start_coverage():
    """With CONFORMANCE_COVERAGE=DIR (and coverage.py installed in this interpreter), trace the
    reference implementation, or with CONFORMANCE_COVERAGE_INCLUDE (file paths joined by
    os.pathsep) those files. Used by the project's tests (impl's coverage) and `python -m
    conformance coverage`; off otherwise."""
    directory = os.environ.get("CONFORMANCE_COVERAGE")
    if not directory:
        return None
    targets.add_site_packages()  # where coverage.py lives
    import coverage

    include = os.environ.get("CONFORMANCE_COVERAGE_INCLUDE")
    if include:
        cov = coverage.Coverage(data_file=None, branch=True, include=include.split(os.pathsep))
    else:
        cov = coverage.Coverage(data_file=None, branch=True, source=["conformance.impl"])
    cov.start()
    return cov
