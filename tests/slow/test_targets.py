"""Fake targets against the catalogue: every mutant is caught, the control never is."""
import pytest

from conformance._case import load_cases
from conformance._check import run_check
from tests.conftest import TARGETS

pytestmark = pytest.mark.slow

MUTANTS = sorted(p.name for p in TARGETS.glob("mutant_*.py"))


@pytest.fixture(scope="module")
def catalogue():
    return load_cases()


def test_there_are_mutants_for_every_function():
    names = " ".join(MUTANTS)
    for function in ("import_module", "import_", "find_loader", "reload", "invalidate"):
        assert "mutant_" + function in names


@pytest.mark.parametrize("mutant", MUTANTS)
def test_mutant_is_caught_by_the_catalogue(catalogue, host, mutant):
    result = run_check(catalogue, [host], str(TARGETS / mutant), "stdlib")
    assert result.count("failed") >= 1, mutant
    assert result.count("error") == 0
    for verdict in result.verdicts:  # caught for its mutation, not because the wrapper recursed
        if verdict.divergence is not None:
            assert "RecursionError" not in repr(verdict.divergence.differences), verdict.case_id


def test_control_is_clean_five_times_on_every_interpreter(catalogue, interpreters):
    for run in range(5):
        result = run_check(catalogue, interpreters, str(TARGETS / "control.py"), "stdlib")
        failed = [(v.case_id, v.interpreter) for v in result.verdicts if v.status in ("failed", "error")]
        assert failed == [], "run %d" % run
        assert result.count("passed") >= 150 * len(interpreters) * 0.9


def test_builtin_import_differs_from_importlib(cli):
    result = cli("check", "--target", "builtin", "--python", "3.12")
    assert result.code == 1
    blocks = [b for b in result.out.split("\n\n") if b.startswith("DIVERGENCE")]
    assert len(blocks) >= 5
    assert any("dunder_import.name.int" in b for b in blocks)
    for block in blocks:
        assert len(block.splitlines()) <= 40, block  # one screen each
        assert all(not line.startswith("  step") or "__import__" in line or "import_module" in line
                   or "reload" in line or "find_loader" in line or "invalidate" in line
                   for line in block.splitlines())
