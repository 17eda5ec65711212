"""Causes by ablation: each feature's plain counterpart keeps the rest of the case as it was."""
from conformance._causes import ablate, features_of
from conformance._changes import VersionChange


def test_an_archive_becomes_a_directory_of_the_same_name_and_its_rewrites_write_each_entry():
    case = {"id": "x", "files": {"lib.zip": {"zip": {"p/__init__.py": "", "p/m.py": ["x = 1"]}}, "a.py": "y = 2"},
            "sys_path": ["lib.zip"],
            "steps": [{"op": "import_module", "name": "p.m"},
                      {"op": "write", "path": "lib.zip", "source": {"zip": {"p/__init__.py": "", "p/m.py": "x = 3"}}},
                      {"op": "reload", "module": {"result": 0}},
                      {"op": "reload", "module": {"result": 2}}]}
    assert features_of(case) == ["zip archives"]
    plain = ablate(case, ["zip archives"])
    assert "id" not in plain and features_of(plain) == [] and plain["sys_path"] == ["lib.zip"]
    assert plain["files"] == {"lib.zip/p/__init__.py": "", "lib.zip/p/m.py": ["x = 1"], "a.py": "y = 2"}
    assert [(s["op"], s.get("path")) for s in plain["steps"]] == [
        ("import_module", None), ("write", "lib.zip/p/__init__.py"), ("write", "lib.zip/p/m.py"), ("reload", None),
        ("reload", None)]
    # references to earlier results follow the steps they name
    assert plain["steps"][3]["module"] == {"result": 0} and plain["steps"][4]["module"] == {"result": 3}
    assert case["files"]["lib.zip"]["zip"]["p/m.py"] == ["x = 1"] and "id" in case  # the original untouched


def test_legacy_finders_become_find_spec_finders_of_the_same_modules_and_other_features_go():
    case = {"meta_path": [{"finder": "legacy_serving", "name": "f", "bare": True, "filename": "f.py",
                           "modules": {"m": "v = 1"}}, {"finder": "recording", "name": "r"}],
            "path_hooks": [{"hook": "legacy_find_module", "entry": "old"}], "write_bytecode": True, "steps": []}
    assert features_of(case) == ["legacy meta-path finders", "legacy path-entry hooks", "bytecode writing"]
    plain = ablate(case, ["legacy meta-path finders"])
    assert plain["meta_path"] == [{"finder": "serving", "name": "f", "modules": {"m": "v = 1"}},
                                  {"finder": "recording", "name": "r"}]
    assert features_of(ablate(case, features_of(case))) == []
    assert "path_hooks" in plain and "write_bytecode" not in ablate(case, ["bytecode writing"])


def test_a_cause_matches_a_catalogue_change_whose_cases_all_have_its_features():
    cause = VersionChange(("3.10", "cause", ("zip archives",)), ["3.9"], ["3.10"], ["fuzz.a"],
                          features=frozenset({"zip archives"}))
    zipped = VersionChange(("3.10", "field", "steps[].result.__cached__", "NoneType", "<path>"), ["3.9"], ["3.10"],
                           ["zip.module"], features=frozenset({"zip archives"}))
    plain = VersionChange(("3.10", "message", "SyntaxError"), ["3.9"], ["3.10"], ["reload.syntax_error"])
    later = VersionChange(("3.11", "field", "x", "a", "b"), ["3.10"], ["3.11"], ["z"],
                          features=frozenset({"zip archives"}))
    assert cause.matches(zipped) and zipped.matches(cause)
    assert not cause.matches(plain) and not plain.matches(cause) and not cause.matches(later)
    assert "zip archives" in cause.what
