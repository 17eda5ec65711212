"""One cause, one finding, without workers: a finding's headline (what its divergence comes down
to), reduction by cause (the first differing step kept in focus, whatever else changes) and the
move to the import a divergence comes from, against a fake judge."""
from conformance._compare import compare
from conformance._findings import Finding, group_findings, headline, signature_of
from conformance._shrinking import Shrinker
from conformance.strategies import DEFAULT, case_from


def _observe(case: dict, side: str) -> dict:
    """A fake run of a hook that refuses module `b` (side "target") or of the stdlib: `q` imports
    `b` in its body and then fails (ImportError on the stdlib, ModuleNotFoundError with the hook,
    `b` kept in sys.modules only by the stdlib); `b` itself imports; package `p`, whose body imports
its submodule `p.b` (refused too), fails to import with the hook; anything else returns."""
    steps = []
    importing = bool(case.get("files", {}).get("r0/p/__init__.py"))  # package p's body imports p.b
    for step in case["steps"]:
        name = step.get("name")
        if name in ("p", "p.b") and importing:
            added = [["p", "m0"], ["p.b", "m1"]]
            steps.append({"outcome": "raised", "exception": {"type": "ImportError"}, "modules": {"added": []}}
                         if side == "target" else {"outcome": "returned", "result": name, "modules": {"added": added}})
        elif name == "p.b" and side == "target":
            steps.append({"outcome": "raised", "exception": {"type": "ModuleNotFoundError"},
                          "modules": {"added": [["p", "m0"]]}})
        elif name in ("b", "q") and side == "target":
            steps.append({"outcome": "raised", "exception": {"type": "ModuleNotFoundError"}, "modules": {"added": []}})
        elif name == "q":
            steps.append({"outcome": "raised", "exception": {"type": "ImportError"}, "modules": {"added": [["b", "m0"]]}})
        elif name == "b":
            steps.append({"outcome": "returned", "result": "m0", "modules": {"added": [["b", "m0"]]}})
        else:
            steps.append({"outcome": "returned", "modules": {"added": []}})
    return {"outcome": "ok", "detail": None, "steps": steps, "final": {}}


def _judge(case: dict):
    verdict = compare(case["id"], "fake", _observe(case, "target"), _observe(case, "reference"))
    return verdict.divergence, []


def _finding(steps: list, files: dict | None = None) -> Finding:
    case = case_from({"files": files or {}, "steps": steps})
    divergence, groups = _judge(case)
    return Finding(signature_of(case, divergence), case, divergence, [], groups)


def test_headline_is_what_differs_whatever_call_showed_it():
    assert headline(("import_module", ("steps[].exception",), ("ModuleNotFoundError", None))) == \
        ("raises", "ModuleNotFoundError", None)
    # the same exception on both sides is no difference; what ran and was added only follows
    assert headline(("__import__", ("steps[].executed", "steps[].finder_calls"), ("ImportError", "ImportError"))) == \
        headline(("reload", ("steps[].finder_calls",), (None, None))) == ("differs", ("steps[].finder_calls",))
    assert headline(("reload", ("steps[].modules.added",), (None, None))) == ("differs", ("steps[].modules.added",))
    # a legacy finder called twice warns twice: the warnings follow from the calls
    assert headline(("import_module", ("steps[].finder_calls", "steps[].warnings"), (None, None))) == \
        ("differs", ("steps[].finder_calls",))
    # what the target raised, in words, whatever the reference does there (pytest's rewriting
    # finder on an empty name: the stdlib returns None for find_loader(''), raises for '..zz')
    empty = "PurePosixPath('.') has an empty name"
    assert headline(("find_loader", ("steps[].exception",), ("ValueError", None)), empty) == \
        headline(("__import__", ("steps[].exception.type",), ("ValueError", "ModuleNotFoundError")), empty) == \
        ("raises", "ValueError", "PurePosixPath(_) has an empty name")
    assert headline(("reload", ("steps[].exception",), (None, "TypeError")), None) == ("raises", None, "TypeError")


def test_reduction_by_cause_drops_what_only_kept_the_exception_pair():
    shrinker = Shrinker(DEFAULT, [], _judge, known_change=lambda finding: False)
    found = _finding([{"op": "invalidate_caches"}, {"op": "import_module", "name": "q"},
                      {"op": "import_module", "name": "a"}], {"r0/a.py": ["x = 1"], "r0/q.py": ["import b"]})
    strict = shrinker.reduce(found)
    assert strict.signature == found.signature
    reduced = shrinker.reduce(found, same_cause=True)
    assert reduced.case["steps"] == [{"op": "import_module", "name": "q"}] and reduced.case["files"] == {}
    assert reduced.root == ("raises", "ModuleNotFoundError", "ImportError")


def test_a_finding_moves_to_the_import_it_comes_from():
    shrinker = Shrinker(DEFAULT, [], _judge, known_change=lambda finding: False)
    through_q = _finding([{"op": "import_module", "name": "a"}, {"op": "import_module", "name": "q"}])
    source = shrinker.localise(through_q)
    assert source.case["steps"] == [{"op": "import_module", "name": "b"}]
    assert source.root == ("raises", "ModuleNotFoundError", None)
    assert source.absorbed == [through_q]  # the case it came from stays listed
    direct = _finding([{"op": "import_module", "name": "b"}])
    assert shrinker.localise(direct) is direct  # nothing disagreed on but itself
    (one,) = group_findings([source, direct])
    assert one.absorbed == [through_q]  # the direct case is the one kept: each case listed once


def test_a_finding_moves_past_a_package_that_imports_its_own_submodule():
    shrinker = Shrinker(DEFAULT, [], _judge, known_change=lambda finding: False)
    through_p = _finding([{"op": "import_module", "name": "p"}],
                         {"r0/p/__init__.py": ["from p import b"], "r0/p/b.py": []})
    source = shrinker.localise(through_p)
    assert source.case["steps"] == [{"op": "import_module", "name": "p.b"}]
    assert source.case["files"].get("r0/p/__init__.py", []) == []  # its body emptied, or deleted
    assert source.root == ("raises", "ModuleNotFoundError", None) and source.absorbed == [through_p]
