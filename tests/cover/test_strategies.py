"""Generated cases: valid case-format data, stable ids, shrinking towards small plain cases."""
import json
import random

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from conformance._case import _validator
from conformance.strategies import DEFAULT, case_from, cases, describe_policy, generated_case, generated_size, parse_policy, policies
from conformance.strategies._cases import STEP_BYTES, build_case, case_size
from conformance.strategies._policy import POLICY_BYTES, SWITCHES

VALIDATOR = _validator()


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(cases())
def test_generated_cases_are_valid_case_files(case):
    errors = list(VALIDATOR.iter_errors({"format": 1, "cases": [case]}))
    assert errors == [], errors[0].message
    assert case["id"] == case_from({k: v for k, v in case.items() if k != "id"})["id"]
    sources = [entry for source in case["files"].values()
               for entry in (source["zip"].values() if isinstance(source, dict) else [source])]
    assert all(lines[0] == "__executed__(__name__)" for lines in sources)  # every module says it ran


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


def test_generated_finders_build_specs_every_way_the_case_format_has():
    """Over random inputs: each finder kind, each option of a serving finder's loader, located
    files with and without a loader, and bytecode holding no code object."""
    rng, seen = random.Random(3), set()
    for _ in range(3000):
        case = generated_case(DEFAULT, rng.randbytes(generated_size(DEFAULT)))
        for finder in case.get("meta_path", []):
            seen.add(finder["finder"])
            seen |= {"option " + key for key in finder}
            loader = finder.get("loader")
            seen |= {"loader " + key for key in loader} if isinstance(loader, dict) else {"loader %s" % loader}
        if '"body": "not_code"' in json.dumps(case):
            seen.add("not_code")
    assert seen >= {"recording", "serving", "loaderless", "legacy_serving", "legacy_loader", "locating",
                    "option ask_package", "option origin", "option packages", "option search_locations",
                    "loader filename", "loader is_package", "loader module_attrs", "loader source",
                    "loader sourceless", "loader builtin", "loader frozen", "option relative", "option pathlike", "not_code"}


def test_policy_items_apply_in_order_to_the_default():
    policy = parse_policy("none, reload, edits, max_steps=6")
    assert policy.reload and policy.edits and policy.max_steps == 6
    assert not any(getattr(policy, name) for name in ("namespaces", "raising", "find_loader", "finders"))
    assert parse_policy("") == DEFAULT
    assert not parse_policy("no-find_loader").find_loader and parse_policy("no-find-loader") == parse_policy("no-find_loader")
    assert describe_policy(parse_policy("max_nodes=2"))["max_nodes"] == 2


def test_bad_policy_items_are_named():
    for text, fragment in [("bogus", "'bogus'"), ("max_steps=0", "max_steps"), ("max_steps=x", "max_steps"),
                           ("depth=3", "'depth'"), ("no-thing", "'no-thing'")]:
        with pytest.raises(ValueError, match=fragment):
            parse_policy(text)


STEERED = parse_policy("none,reload,max_steps=2,max_nodes=1,max_roots=1")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.binary(min_size=generated_size(STEERED), max_size=generated_size(STEERED)))
def test_a_policy_steers_every_generated_case(data):
    case = generated_case(STEERED, data)
    assert {step["op"] for step in case["steps"]} <= {"import_module", "__import__", "reload"}
    assert len(case["steps"]) <= 2 and len(case["files"]) + len(case["dirs"]) <= 2  # one node, one root
    assert "meta_path" not in case and "sys_modules" not in case
    assert not any("raise" in line for lines in case["files"].values() for line in lines)


def test_the_swarm_bytes_switch_features_off():
    data = bytearray(generated_size(DEFAULT))
    data[:POLICY_BYTES] = b"\1" * POLICY_BYTES
    data[POLICY_BYTES + 1] = 15  # the step count: up to four steps
    data[POLICY_BYTES + case_size(DEFAULT) - STEP_BYTES] = 2  # the last step's op
    with_reload = generated_case(DEFAULT, bytes(data))
    data[SWITCHES.index("reload")] = 0
    without = generated_case(DEFAULT, bytes(data))
    assert with_reload != without and "reload" not in {step["op"] for step in without["steps"]}


def test_decoding_reads_zeros_past_the_end_and_keeps_slices_apart():
    policy = DEFAULT
    plain = build_case(policy, b"")
    assert plain["files"] == {"r0/a.py": ["__executed__(__name__)"]} and len(plain["steps"]) == 1
    data = bytearray(case_size(policy))
    data[0], data[1] = 3, 3  # four nodes, four steps
    before = build_case(policy, bytes(data))
    data[-STEP_BYTES] = 5  # the op byte of the last step's slice
    after = build_case(policy, bytes(data))
    assert after["files"] == before["files"] and after["steps"][:3] == before["steps"][:3]
    assert after["steps"][3] != before["steps"][3]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(cases(parse_policy("lazy")))
def test_lazy_cases_are_valid_and_keep_lazy_statements_at_top_level(case):
    """The lazy switch: `lazy` statements and __lazy_modules__ in bodies (never inside try, a syntax
    error there), a case's global mode and filter, getattr steps; all valid case data."""
    errors = list(VALIDATOR.iter_errors({"format": 1, "cases": [case]}))
    assert errors == [], errors[0].message
    for source in case["files"].values():
        for line in (source if isinstance(source, list) else []):
            assert not ("lazy " in line and line.startswith("try:")), line


def test_the_lazy_switch_is_off_by_default_and_on_where_every_interpreter_has_lazy_imports():
    from types import SimpleNamespace

    from conformance._options import policy_from

    def python(*version):
        return SimpleNamespace(implementation="cpython", version=version)

    assert not DEFAULT.lazy and parse_policy("lazy").lazy
    assert policy_from("", [python(3, 15, 2)]).lazy
    assert not policy_from("", [python(3, 14, 10), python(3, 15, 2)]).lazy  # a syntax error on 3.14
    assert not policy_from("no-lazy", [python(3, 15, 2)]).lazy
    assert policy_from("lazy", [python(3, 13, 0)]).lazy  # asked for: the user's choice
    assert not policy_from("", [SimpleNamespace(implementation="pypy", version=(3, 15, 0))]).lazy
    seen = {"statement": False, "mode": False, "getattr": False}
    for seed in range(300):
        data = random.Random(seed).randbytes(generated_size(parse_policy("lazy")))
        case = generated_case(parse_policy("lazy"), data)
        text = str(case["files"])
        seen["statement"] |= "lazy import" in text or "lazy from" in text
        seen["mode"] |= "lazy_imports" in case
        seen["getattr"] |= any(step["op"] == "getattr" for step in case["steps"])
    assert all(seen.values()), seen
    plain = generated_case(DEFAULT, random.Random(1).randbytes(generated_size(DEFAULT)))
    assert "lazy_imports" not in plain


@given(st.binary(min_size=generated_size(DEFAULT), max_size=generated_size(DEFAULT)), st.randoms(use_true_random=False))
def test_the_steps_of_a_generated_input_are_read_and_rewritten_in_place(data, rng):
    from conformance.strategies import generated_steps, generated_with_steps

    case, steps = generated_case(DEFAULT, data), generated_steps(DEFAULT, data)
    assert len(steps) == len(case["steps"]) and all(len(step) == STEP_BYTES for step in steps)
    new = [steps[rng.randrange(len(steps))] for _ in range(rng.randint(1, DEFAULT.max_steps))]
    rewritten = generated_with_steps(DEFAULT, data, new)
    assert generated_steps(DEFAULT, rewritten) == new
    again = generated_case(DEFAULT, rewritten)
    assert {key: value for key, value in again.items() if key not in ("id", "steps")} == \
        {key: value for key, value in case.items() if key not in ("id", "steps")}
    for bad in ([], new * DEFAULT.max_steps + new, [b"short"]):
        with pytest.raises(ValueError):
            generated_with_steps(DEFAULT, data, bad)


def test_a_step_spliced_into_a_case_of_another_swarm_policy_keeps_its_op_once_allowed():
    from conformance.strategies import generated_allowing, generated_steps, generated_with_steps
    from conformance.strategies._cases import ALL_OPS

    policy = parse_policy("lazy")  # every op allowed by the base policy
    size = generated_size(policy)
    plain = bytes(size)  # every switch of the swarm policy off: imports only
    for byte, op in enumerate(ALL_OPS):
        step = bytes([byte]) + bytes(STEP_BYTES - 1)
        spliced = generated_with_steps(policy, plain, generated_steps(policy, plain) + [step])
        assert generated_case(policy, spliced)["steps"][-1]["op"] in ("import_module", "__import__", op)
        allowed = generated_allowing(policy, spliced, step)
        assert generated_case(policy, allowed)["steps"][-1]["op"] == op
        assert sum(allowed[:POLICY_BYTES]) == (op not in ("import_module", "__import__"))  # that one switch
    # a switch the base policy keeps off stays off
    assert generated_allowing(parse_policy("no-edits"), bytes(generated_size(parse_policy("no-edits"))),
                              bytes([5]) + bytes(STEP_BYTES - 1)) == bytes(generated_size(parse_policy("no-edits")))
