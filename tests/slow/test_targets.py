"""Fake targets against the catalogue: every mutant is caught, the control never is."""
import pytest

from conformance._case import load_cases
from conformance._check import run_check
from tests.conftest import REPO, TARGETS

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


def test_a_wrapper_that_calls_importlib_runs_with_importlib_left_in_place(tmp_path, host):
    """REPLACES_IMPORTLIB = False: the steps call the wrapper, the wrapper reaches the stdlib's
    functions: clean. The same wrapper replacing importlib's functions calls itself (RecursionError)."""
    cases = load_cases([REPO / "conformance" / "catalogue" / name for name in ("reload.json", "import_module.json")])
    wrapper = TARGETS / "wrapper_calls_importlib.py"
    result = run_check(cases, [host], str(wrapper), "stdlib")
    assert result.count("failed") == 0 and result.count("error") == 0 and result.count("passed") > 50
    # the functions it does not define are the stdlib's: cases calling them run, none is unsupported
    others = [c.id for c in cases if any(s.get("op") in ("__import__", "invalidate_caches") for s in c.data["steps"])]
    assert others and result.count("unsupported") == 0, others
    replacing = tmp_path / "replacing.py"
    replacing.write_text(wrapper.read_text().replace("REPLACES_IMPORTLIB = False", "REPLACES_IMPORTLIB = True"))
    result = run_check(cases, [host], str(replacing), "stdlib")
    recursed = [v.case_id for v in result.verdicts
                if v.divergence is not None and "RecursionError" in repr(v.divergence.differences)]
    assert len(recursed) > 20, recursed
