"""The case reducer: deletes what a failure does not need, keeps result references valid."""
from conformance._reduce import reduce_case

CASE = {"id": "x", "files": {"a.py": ["__executed__(__name__)", "x = 1", "y = 2"], "b.py": ["z = 3"]},
        "sys_modules": {"s": None}, "sys_path": [".", "other"],
        "steps": [{"op": "import_module", "name": "a", "package": "p"},
                  {"op": "invalidate_caches"},
                  {"op": "reload", "module": {"result": 0}}]}


def test_keeps_only_what_the_failure_needs():
    def fails(case, focus):
        return any(s["op"] == "reload" for s in case["steps"]) and "a.py" in case.get("files", {}) \
            and any("y = 2" in line for line in case["files"]["a.py"])

    smallest = reduce_case(CASE, fails)
    assert [s["op"] for s in smallest["steps"]] == ["import_module", "reload"]
    assert smallest["files"] == {"a.py": ["y = 2"]}
    assert "sys_modules" not in smallest and smallest["sys_path"] in (["."], ["other"])
    assert "package" not in smallest["steps"][0]


def test_never_breaks_result_references():
    seen = []

    def fails(case, focus):
        seen.append(case)
        return any(s["op"] == "reload" for s in case["steps"])

    reduce_case(CASE, fails)
    for case in seen:
        for index, step in enumerate(case["steps"]):
            if step["op"] == "reload" and isinstance(step["module"], dict):
                assert step["module"]["result"] < index


def test_budget_bounds_the_runs():
    runs = []
    reduce_case(CASE, lambda case, focus: runs.append(1) or False, budget=5)
    assert len(runs) == 5


def test_archives_lose_entries_and_lines_and_become_directories_and_bytecode_stays_whole():
    case = {"id": "z", "write_bytecode": True,
            "files": {"lib.zip": {"zip": {"a.py": ["x = 1"], "b.py": ["y = 2"]}},
                      "c.pyc": {"pyc": {"source": ["z = 3", "w = 4"]}}, "d.py": ["v = 5"]},
            "steps": [{"op": "import_module", "name": "a"}]}

    def still_fails(candidate, focus):
        return "a.py" in candidate["files"].get("lib.zip", {}).get("zip", {})

    reduced = reduce_case(case, still_fails)
    assert reduced["files"] == {"lib.zip": {"zip": {"a.py": []}}}  # entries lose lines as files do
    unzipped = reduce_case(case, lambda candidate, focus: "lib.zip/a.py" in candidate["files"])
    assert unzipped["files"] == {"lib.zip/a.py": []}  # an archive becomes a directory of its name
    assert "write_bytecode" not in reduced
    kept = reduce_case(case, lambda candidate, focus: "c.pyc" in candidate["files"])
    assert kept["files"]["c.pyc"] == case["files"]["c.pyc"]  # compiled as a whole: never cut line by line


def test_the_step_in_focus_is_kept_and_followed():
    case = {"id": "f", "steps": [{"op": "invalidate_caches"}, {"op": "import_module", "name": "a"},
                                 {"op": "import_module", "name": "b"}, {"op": "invalidate_caches"}]}
    seen = []

    def fails(candidate, focus):
        seen.append(focus)
        assert candidate["steps"][focus] == {"op": "import_module", "name": "b"}
        return True

    reduced = reduce_case(case, fails, focus=2)
    assert reduced["steps"] == [{"op": "import_module", "name": "b"}]
    assert 0 in seen and 1 in seen  # followed as the steps before it went


def test_every_candidate_is_a_valid_case():
    """A deletion never takes what the schema requires (a write's path: the fuzzer crashed on it)."""
    import jsonschema

    from conformance._case import case_schema
    from conformance._reduce import _candidates

    case = {"id": "w", "files": {"a.py": "x = 1"}, "sys_path": [".", "other"],
            "steps": [{"op": "import_module", "name": "a", "package": "p"},
                      {"op": "write", "path": "a.py", "source": "x = 2", "keep_mtime": True, "keep_file_mtime": True},
                      {"op": "delete", "path": "b.py", "keep_mtime": True}, {"op": "mkdir", "path": "d"},
                      {"op": "find_loader", "name": "a", "path": ["other"]},
                      {"op": "path_insert", "entry": "d", "index": 0},
                      {"op": "__import__", "name": "a", "fromlist": ["x"], "level": 0}]}
    validator = jsonschema.Draft202012Validator(case_schema())
    wrapped = {"format": 1, "cases": [case]}
    assert not list(validator.iter_errors(wrapped))
    candidates = [candidate for candidate, _ in _candidates(case, None)]
    assert len(candidates) > 15
    for candidate in candidates:
        errors = [e.message for e in validator.iter_errors({"format": 1, "cases": [candidate]})]
        assert errors == [], (candidate["steps"], errors)
    assert any("path" not in s for c in candidates for s in c["steps"] if s["op"] == "find_loader")
