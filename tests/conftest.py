"""Shared fixtures: paths, the interpreters the tests need, and an in-process CLI runner."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conformance._cli import main
from conformance._interpreters import discover, probe

REPO = Path(__file__).resolve().parent.parent
TARGETS = Path(__file__).resolve().parent / "targets"
CPYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"]  # 3.14, 3.15: scripts/debian_interpreters.py


@pytest.fixture(scope="session")
def interpreters():
    """Every interpreter found here; the suite requires CPython 3.8-3.15 and PyPy 3.9 and 3.11."""
    return discover()


@pytest.fixture(scope="session")
def host():
    return probe(sys.executable)


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    @property
    def last_line(self) -> str:
        lines = self.out.strip().splitlines()
        return lines[-1] if lines else ""


@pytest.fixture
def cli(capsys):
    """Run `python -m conformance ...` in-process; returns exit code and captured output."""

    def run(*args: str) -> CliResult:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def case_file(tmp_path: Path, *cases: dict, name: str = "cases.json") -> Path:
    """Write cases into a case file under tmp_path."""
    import json

    path = tmp_path / name
    path.write_text(json.dumps({"format": 1, "cases": list(cases)}))
    return path


def matches_recordings(result, report: Path) -> bool:
    """Whether a `check --reference expected --json report` run matches the recordings, a
    divergence of a patch release other than the recording's excepted: Debian unstable moves to
    new patch releases of 3.14 and 3.15 on its own, and such a divergence is CPython's to triage
    (the check names it so), not a failure of this project's CI; it is shown as a warning."""
    import json
    import warnings

    if result.code == 0:
        return True
    data = json.loads(report.read_text())
    failed = [v for v in data["verdicts"] if v["status"] in ("failed", "error")]
    if failed and all(v.get("note", "").startswith("recorded on ") for v in failed):
        warnings.warn("a patch release behaves otherwise than its recording: %s"
                      % ", ".join("%s on %s" % (v["case"], v["interpreter"]) for v in failed))
        return True
    return False
