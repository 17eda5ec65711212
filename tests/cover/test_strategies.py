"""Generated cases: valid case-format data, stable ids, shrinking towards small plain cases."""
from hypothesis import HealthCheck, find, given, settings

from conformance._case import _validator
from strategies import DEFAULT, batches, case_from, cases, policies

VALIDATOR = _validator()


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(cases())
def test_generated_cases_are_valid_case_files(case):
    errors = list(VALIDATOR.iter_errors({"format": 1, "cases": [case]}))
    assert errors == [], errors[0].message
    assert case["id"] == case_from({k: v for k, v in case.items() if k != "id"})["id"]
    assert all(lines[0] == "__executed__(__name__)" for lines in case["files"].values())


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(batches(5))
def test_batches_hold_a_fixed_number_of_cases(batch):
    assert len(batch) == 5


def test_policies_shrink_to_everything_off():
    plain = find(policies(), lambda policy: True)
    assert not any(getattr(plain, name) for name in ("namespaces", "odd_names", "raising", "edits"))
    assert DEFAULT.namespaces


def test_cases_shrink_to_one_file_and_one_step():
    smallest = find(cases(), lambda case: True)
    assert len(smallest["steps"]) == 1 and len(smallest["files"]) == 1
    assert smallest["files"] == {"r0/a.py": ["__executed__(__name__)"]}


def test_generation_reaches_the_corners():
    seen = set()

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(cases())
    def collect(case):
        text = repr(case)
        for marker in ("namespace", "raise ", "sys.modules[", "from . import", "import *", "__all__",
                       "reload", "invalidate_caches", "find_loader", "keep_mtime", "meta_path", "é"):
            if marker in text:
                seen.add(marker)
        if len({p.split("/")[0] for p in case["files"]}) > 1:
            seen.add("two roots")

    collect()
    assert seen >= {"raise ", "sys.modules[", "from . import", "import *", "__all__", "reload",
                    "invalidate_caches", "find_loader", "keep_mtime", "meta_path", "two roots"}
