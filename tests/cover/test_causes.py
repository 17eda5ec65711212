"""Causes by ablation: each feature's plain counterpart keeps the rest of the case as it was."""
from conformance._causes import ablate, atomic, explain, features_of, widen_guards
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


def test_legacy_meta_path_finders_become_find_spec_finders_of_the_same_modules_and_legacy_hooks_go():
    case = {"meta_path": [{"finder": "legacy_serving", "name": "f", "bare": True, "filename": "f.py",
                           "modules": {"m": "v = 1"}}, {"finder": "recording", "name": "r"}],
            "path_hooks": [{"hook": "legacy_find_module", "entry": "old"}], "write_bytecode": True, "steps": []}
    # two protocols, two changes each (3.10's warnings, 3.12's removal): two features
    assert features_of(case) == ["legacy meta-path finders", "legacy path-entry finders", "bytecode writing"]
    plain = ablate(case, ["legacy meta-path finders"])
    assert plain["meta_path"] == [{"finder": "serving", "name": "f", "modules": {"m": "v = 1"}},
                                  {"finder": "recording", "name": "r"}]
    assert plain["path_hooks"] == case["path_hooks"] and plain["write_bytecode"]
    assert "path_hooks" not in ablate(case, ["legacy path-entry finders"])
    assert features_of(ablate(case, features_of(case))) == []
    assert features_of({"path_hooks": [{"hook": "legacy_find_loader"}]}) == ["legacy path-entry finders"]


def test_a_finders_options_are_features_each_dropped_alone():
    """3.11's spec_from_loader keeps an origin given to it (the spec no longer located: no __file__,
    no cached, has_location false: one change through many fields); 3.10 makes a relative location
    absolute."""
    case = {"meta_path": [{"finder": "serving", "name": "f", "origin": "o", "ask_package": True, "modules": {"a": ""}},
                          {"finder": "locating", "name": "g", "relative": True, "pathlike": True, "locations": {"b": "b.py"}}],
            "steps": []}
    assert features_of(case) == ["an origin given to spec_from_loader", "relative locations for spec_from_file_location",
                                 "pathlib.Path locations for spec_from_file_location"]
    plain = ablate(case, ["an origin given to spec_from_loader", "relative locations for spec_from_file_location"])
    assert plain["meta_path"] == [{"finder": "serving", "name": "f", "ask_package": True, "modules": {"a": ""}},
                                  {"finder": "locating", "name": "g", "pathlike": True, "locations": {"b": "b.py"}}]
    assert features_of(plain) == ["pathlib.Path locations for spec_from_file_location"] and "origin" in case["meta_path"][0]
    assert features_of({"meta_path": [{"finder": "locating", "origin": "x"}], "steps": []}) == []  # only a serving one's


def test_a_body_that_puts_none_in_sys_modules_no_longer_does_so_and_a_change_it_causes_is_the_catalogues():
    """3.14 imports a child over the None its parent's body left, 3.15 halts there: one change seen
    through many first differences (a module added, an AttributeError gone, another name missing);
    its cause ties them to the catalogue's case that shows it."""
    case = {"files": {"r0.zip": {"zip": {"p/__init__.py": ["__executed__(__name__)",
                                                             "import sys; sys.modules['p.a'] = None"]}},
                      "r0/q.py": ["try:\n    import sys; sys.modules['q'] = None\nexcept ImportError:\n    pass"]},
            "steps": [{"op": "write", "path": "r0/x.py", "source": ["import sys; sys.modules[\"x.y\"] = None"]}]}
    assert features_of(case) == ["zip archives", "None put in sys.modules by a body"]
    plain = ablate(case, ["None put in sys.modules by a body"])
    assert features_of(plain) == ["zip archives"]
    assert plain["files"]["r0.zip"]["zip"]["p/__init__.py"] == ["__executed__(__name__)", "import sys; pass"]
    assert "= None" not in str(plain)
    assert features_of({"sys_modules": {"p": None}, "steps": []}) == []  # a seeded None is the case's own set-up
    cause = VersionChange(("3.14", "cause", ("None put in sys.modules by a body",)), ["3.13"], ["3.14"], ["fuzz.x"])
    recorded = VersionChange(("3.14", "field", "steps[].executed", (), ()), ["3.13"], ["3.14"],
                             ["sys_modules.none_left_by_parent"],
                             features=frozenset({"None put in sys.modules by a body"}))
    assert cause.matches(recorded)


def test_known_changes_are_undone_in_a_case_only_where_they_apply():
    guarded = "try:\n    from .. import b\nexcept ImportError:\n    pass"
    case = {"files": {"lib.zip": {"zip": {"p/__init__.py": [guarded, "import q"]}}}, "sys_path": ["lib.zip"],
            "steps": [{"op": "import_module", "name": "p"}]}
    widened = widen_guards(case, "ValueError")
    assert "except (ImportError, ValueError):" in widened["files"]["lib.zip"]["zip"]["p/__init__.py"][0]
    assert case["files"]["lib.zip"]["zip"]["p/__init__.py"][0] == guarded  # the original untouched
    beyond, archives = ("3.9", "raises", "ValueError"), ("3.10", "cause", ("zip archives",))
    legacy = ("3.10", "cause", ("legacy meta-path finders",))
    both = ("3.10", "cause", ("zip archives", "legacy meta-path finders"))
    assert atomic(beyond) and atomic(archives) and not atomic(both)
    assert not atomic(("3.10", "raises", None)) and not atomic(("3.10", "message", "SyntaxError"))
    ablated, used = explain(case, [beyond, archives, legacy, both])
    assert used == [beyond, archives]  # no legacy finder here; a composite root undoes nothing itself
    assert features_of(ablated) == [] and "ImportError, ValueError" in ablated["files"]["lib.zip/p/__init__.py"][0]
    assert explain({"files": {"a.py": "import b"}, "steps": []}, [beyond, archives]) == (None, [])


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


def test_implementations_of_one_version_are_no_version_change():
    from conformance._changes import changes_from_findings

    class _Finding:  # what changes_from_findings reads of a Finding
        root = ("3.9", "raises", "AttributeError")
        case = {"id": "fuzz.x", "steps": []}
        groups = [(["pypy 3.9.16"], {"outcome": "ok", "steps": [], "final": {"a": 1}}),
                  (["cpython 3.9.18"], {"outcome": "ok", "steps": [], "final": {"a": 2}})]

    change = changes_from_findings([_Finding()])[0]
    assert change.same_version and change.heading == "Between implementations of 3.9"
    assert change.before == ["pypy 3.9.16"] and change.after == ["cpython 3.9.18"]
    recorded = VersionChange(("3.9", "raises", "AttributeError"), ["3.8"], ["3.9"],
                             ["sys_modules.parent_rejects_binding"])
    assert not recorded.matches(change) and not change.matches(recorded)


def test_one_catalogue_change_found_twice_is_one_entry_of_the_campaigns_change_list(tmp_path, monkeypatch):
    """A campaign that meets one change through two roots (3.15's load_module() removal: a module
    served, a package served) lists it once, with both cases."""
    from conformance import _changes

    def finding(root, case_id):
        class _Finding:
            pass
        found = _Finding()
        found.root, found.case = root, {"id": case_id, "steps": []}
        found.groups = [(["cpython 3.14.10"], {"outcome": "ok", "steps": [], "final": {"a": 1}}),
                        (["cpython 3.15.2"], {"outcome": "ok", "steps": [], "final": {"a": 2}})]
        return found

    known = VersionChange(("3.15", "cause", ("legacy meta-path finders",)), ["3.14"], ["3.15"], ["legacy.load_module_only_loader"])
    monkeypatch.setattr(_changes, "changes_from_recordings", lambda cases: [known])
    monkeypatch.setattr(_changes, "features_of", lambda case: [] if case["id"] == "fuzz.new" else ["legacy meta-path finders"])
    found = [finding(("3.15", "raises", None, "AttributeError"), "fuzz.one"),
             finding(("3.15", "cause", ("legacy meta-path finders",)), "fuzz.two"),
             finding(("3.15", "field", "steps[].x", (), ()), "fuzz.new")]
    total, in_catalogue = _changes.write_change_catalogue(found, tmp_path, [])
    text = (tmp_path / "changes.md").read_text()
    assert (total, in_catalogue) == (2, 1)
    assert text.count("also in the catalogue's changes: legacy.load_module_only_loader") == 1
    assert "`fuzz.one`, `fuzz.two`" in text and "not in the catalogue" in text


def test_invalidate_caches_calls_go_as_steps_and_as_statements_of_bodies():
    """3.9 recomputes a namespace package's path after invalidate_caches(): one change seen through
    finder calls, new sys.path_importer_cache entries, portions found; without the calls it vanishes."""
    case = {"files": {"r0/a.py": ["import importlib; importlib.invalidate_caches()", "x = 1"]},
            "steps": [{"op": "import_module", "name": "p"}, {"op": "invalidate_caches"},
                      {"op": "reload", "module": {"result": 0}}, {"op": "reload", "module": {"result": 2}}]}
    assert features_of(case) == ["invalidate_caches() calls"]
    plain = ablate(case, ["invalidate_caches() calls"])
    assert features_of(plain) == [] and plain["files"]["r0/a.py"] == ["import importlib; None", "x = 1"]
    assert [s["op"] for s in plain["steps"]] == ["import_module", "reload", "reload"]
    assert plain["steps"][1]["module"] == {"result": 0} and plain["steps"][2]["module"] == {"result": 1}
    assert features_of({"steps": [{"op": "invalidate_caches"}]}) == ["invalidate_caches() calls"]
